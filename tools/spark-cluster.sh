#!/usr/bin/env bash
# Issue 15: a Spark standalone master and two workers on 127.0.0.1, run from the Maven artifacts (no Spark
# download): a SPARK_HOME whose jars/ links the jars Maven resolved for candela-spark. Explains the same image
# folder with the plain JVM path, local[1], local[2] and the 2-worker cluster; prints images/s and a CRC of all
# map bits (must be equal for every line; exit 1 if not), then stops the cluster.
#   tools/spark-cluster.sh [COPIES] [METHODS]     (defaults: 20 copies of the 10 Fashion images, grad-cam,score-cam)
# Needs JDK 25 (JAVA_HOME) and ports 7077, 8080-8082 free on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
COPIES="${1:-20}"
METHODS="${2:-grad-cam,score-cam}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH" MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
T=candela-spark/target
# CANDELA_CLUSTER_BUILT=1: the caller has packaged candela-spark (mvn -Pspark-cluster verify -pl candela-spark -am)
if [ "${CANDELA_CLUSTER_BUILT:-0}" != 1 ]; then
  mvn -o -q -pl candela-spark -am package dependency:build-classpath -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/classpath.txt
fi
export SPARK_HOME="$PWD/$T/spark-home" SPARK_SCALA_VERSION=2.13
rm -rf "$SPARK_HOME" && mkdir -p "$SPARK_HOME/jars" "$T/spark-work"
for j in $(tr ':' ' ' < $T/classpath.txt) $T/candela-spark-*-SNAPSHOT.jar; do
  case "$j" in *-sources.jar|*-javadoc.jar|*-tests.jar) continue;; esac
  if [ -f "$j" ]; then ln -sf "$(realpath "$j")" "$SPARK_HOME/jars/"; fi
done
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
 --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
 --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
 --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
 --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true
 --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
CP="$SPARK_HOME/jars/*"
PIDS=()
stop() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT
java $OPENS -Xmx512m -cp "$CP" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 --webui-port 8080 > $T/spark-master.log 2>&1 &
PIDS+=($!)
sleep 5
for i in 1 2; do
  java $OPENS -Xmx512m -cp "$CP" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 3g --webui-port $((8080 + i)) \
    --work-dir "$PWD/$T/spark-work" spark://127.0.0.1:7077 > $T/spark-worker-$i.log 2>&1 &
  PIDS+=($!)
done
sleep 8
IMG=$(mktemp -d)
for c in $(seq 1 "$COPIES"); do for f in testdata/images/fashion-*.png; do cp "$f" "$IMG/c$c-$(basename "$f")"; done; done
DRIVER_CP="$T/test-classes:$T/classes:$CP"
# The driver JVMs (jvm, local[N]) run without the Vector API and the executors the workers start with it (Spark's
# launcher adds --add-modules jdk.incubator.vector): the CRCs must agree all the same. For a fair throughput
# comparison give the drivers the Vector API too: CANDELA_DRIVER_OPTS="--add-modules jdk.incubator.vector".
CRCS=()
for master in jvm 'local[1]' 'local[2]' spark://127.0.0.1:7077; do
  line="$(java $OPENS ${CANDELA_DRIVER_OPTS:-} -Xmx2g -cp "$DRIVER_CP" -Dspark.executor.memory=2g dev.candela.spark.ClusterRun "$master" "$IMG" weights/fashion-vgg.cnd "$METHODS" 4 2>>$T/spark-driver.log | grep RESULT || true)"
  echo "${line:-RESULT master=$master FAILED (see $T/spark-driver.log)}"
  CRCS+=("$(sed -n 's/.*maps_crc32=\([0-9a-f]*\).*/\1/p' <<< "$line")")
done
rm -rf "$IMG"
if [ -z "${CRCS[0]}" ] || [ "$(printf '%s\n' "${CRCS[@]}" | sort -u | wc -l)" != 1 ]; then
  echo "spark-cluster: FAILED: the map bits differ between the paths (CRCs ${CRCS[*]})" >&2
  exit 1
fi
echo "spark-cluster: the same map bits on every path (CRC32 ${CRCS[0]})"

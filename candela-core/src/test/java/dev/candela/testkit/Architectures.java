package dev.candela.testkit;

import dev.candela.graph.GraphBuilder;
import dev.candela.graph.MaxPool2d;
import dev.candela.graph.Model;
import dev.candela.tensor.Shape;

/**
 * torchvision's ResNet-50 (v1.5: stride in the 3x3 conv) and VGG-16 built in Java with seeded random
 * weights, so benchmarks need no large model file. Layer shapes match torchvision's at 3x224x224.
 */
public final class Architectures {
    private Architectures() {}

    public static Model resnet50(long seed) {
        return resnet(new int[]{3, 4, 6, 3}, 64, Shape.of(3, 224, 224), seed);
    }

    /** A bottleneck ResNet with the given blocks per stage and stem width (small variants for tests). */
    public static Model resnet(int[] blocks, int width, Shape input, long seed) {
        GraphBuilder g = new GraphBuilder("input", input, seed);
        String x = g.conv("conv1", "input", width, 7, 2, 3);
        x = g.batchNorm("bn1", x);
        x = g.relu("relu", x);
        x = g.add("maxpool", new MaxPool2d(new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1, 1, 1}, new int[]{1, 1}, false), x);
        for (int stage = 0; stage < blocks.length; stage++) {
            int planes = width << stage;
            for (int b = 0; b < blocks[stage]; b++) {
                String p = "layer" + (stage + 1) + "." + b;
                int stride = b == 0 && stage > 0 ? 2 : 1;
                String y = g.relu(p + ".relu1", g.batchNorm(p + ".bn1", g.conv(p + ".conv1", x, planes, 1, 1, 0)));
                y = g.relu(p + ".relu2", g.batchNorm(p + ".bn2", g.conv(p + ".conv2", y, planes, 3, stride, 1)));
                y = g.batchNorm(p + ".bn3", g.conv(p + ".conv3", y, planes * 4, 1, 1, 0));
                String skip = x;
                if (b == 0) skip = g.batchNorm(p + ".downsample.1", g.conv(p + ".downsample.0", x, planes * 4, 1, stride, 0));
                x = g.relu(p + ".relu", g.sum(p + ".add", y, skip));
            }
        }
        x = g.flatten("flatten", g.globalAvgPool("avgpool", x));
        return g.build(g.linear("fc", x, 1000));
    }

    public static Model vgg16(long seed) {
        return vgg(new int[]{64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512, -1},
                4096, Shape.of(3, 224, 224), seed);
    }

    /** VGG: 3x3 convs (pad 1) + ReLU, -1 = 2x2 max pool, then two hidden FC layers and a 1000-way FC. */
    public static Model vgg(int[] cfg, int hidden, Shape input, long seed) {
        GraphBuilder g = new GraphBuilder("input", input, seed);
        String x = "input";
        int i = 0;
        for (int c : cfg) {
            if (c < 0) x = g.maxPool("features." + i, x, 2, 2);
            else {
                x = g.conv("features." + i, x, c, 3, 1, 1);
                x = g.relu("features." + ++i, x);
            }
            i++;
        }
        x = g.flatten("flatten", x);
        x = g.relu("classifier.1", g.linear("classifier.0", x, hidden));
        x = g.relu("classifier.4", g.linear("classifier.3", x, hidden));
        return g.build(g.linear("classifier.6", x, 1000));
    }
}

package dev.candela.io;

import dev.candela.onnx.proto.OnnxProto.GraphProto;
import dev.candela.onnx.proto.OnnxProto.ModelProto;
import dev.candela.onnx.proto.OnnxProto.NodeProto;
import dev.candela.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.candela.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.candela.onnx.proto.OnnxProto.TensorProto;
import dev.candela.onnx.proto.OnnxProto.TensorShapeProto;
import dev.candela.onnx.proto.OnnxProto.TypeProto;
import dev.candela.onnx.proto.OnnxProto.ValueInfoProto;

/** A one-Conv ONNX model (3 -> 8 channels, 3x3, input 1x3x6x6) whose weight lives in an external data file. */
final class OnnxBytes {
    private OnnxBytes() {}

    static byte[] convWithExternalWeight(String location) {
        TensorProto w = TensorProto.newBuilder().setName("w").setDataType(1).addDims(8).addDims(3).addDims(3).addDims(3)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Integer.toString(4 * 8 * 27))).build();
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : new long[]{1, 3, 6, 6}) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        ValueInfoProto in = ValueInfoProto.newBuilder().setName("x")
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
        NodeProto conv = NodeProto.newBuilder().setName("conv").setOpType("Conv").addInput("x").addInput("w").addOutput("y").build();
        GraphProto g = GraphProto.newBuilder().setName("g").addNode(conv).addInitializer(w).addInput(in)
                .addOutput(ValueInfoProto.newBuilder().setName("y")).build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build().toByteArray();
    }
}

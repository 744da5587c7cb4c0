using Google.Protobuf;
using Onnx;

namespace Cry.TestSupport;

/// <summary>
/// An ONNX "image network" small enough to check by hand: input N × 3 × H × W, output N × 3 × 1 × 1, the mean of each
/// channel (GlobalAveragePool) — a stand-in for a pretrained network in embedding tests.
/// </summary>
public static class TinyImageNetwork
{
    /// <summary>The model's bytes for an input of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static byte[] OnnxBytes(int height, int width)
    {
        var graph = new GraphProto { Name = "tiny-image" };
        graph.Input.Add(ValueInfo("image", [3, height, width]));
        graph.Output.Add(ValueInfo("pooled", [3, 1, 1]));
        var node = new NodeProto { OpType = "GlobalAveragePool", Name = "pooled" };
        node.Input.Add("image");
        node.Output.Add("pooled");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, ProducerName = "Cry.TestSupport", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model.ToByteArray();
    }

    /// <summary>A "preprocessing network" of the same input and output shape: every pixel minus <paramref name="offset"/>.</summary>
    public static byte[] SubtractBytes(int height, int width, float offset)
    {
        var graph = new GraphProto { Name = "tiny-prep" };
        graph.Input.Add(ValueInfo("pixels", [3, height, width]));
        graph.Output.Add(ValueInfo("prepared", [3, height, width]));
        var constant = new TensorProto { Name = "offset", DataType = (int)TensorProto.Types.DataType.Float };
        constant.FloatData.Add(offset);
        graph.Initializer.Add(constant);
        var node = new NodeProto { OpType = "Sub", Name = "prepared" };
        node.Input.Add("pixels");
        node.Input.Add("offset");
        node.Output.Add("prepared");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, ProducerName = "Cry.TestSupport", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (long d in shape)
        {
            tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }
}

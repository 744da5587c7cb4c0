using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Cry.Training.Torch.Onnx;

/// <summary>Appends nodes and float initializers to an ONNX graph while tracking the current tensor and its shape.</summary>
/// <remarks>Shapes exclude the batch dimension, which stays symbolic in the graph.</remarks>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Starts a graph whose current tensor is the graph input.</summary>
    public OnnxGraphBuilder(string inputName, long[] inputShape)
    {
        CurrentName = inputName;
        CurrentShape = inputShape;
        _names.Add(inputName);
    }

    /// <summary>The graph being built.</summary>
    public GraphProto Graph { get; } = new();

    /// <summary>The name of the tensor the next layer reads.</summary>
    public string CurrentName { get; private set; }

    /// <summary>The shape of the current tensor without the batch dimension.</summary>
    public long[] CurrentShape { get; private set; }

    /// <summary>Adds a float initializer stored as little-endian raw data and returns its name.</summary>
    public string AddInitializer(string name, float[] data, params long[] dims)
    {
        long count = 1;
        foreach (long d in dims)
        {
            count *= d;
        }

        if (count != data.Length)
        {
            throw new InvalidOperationException($"Initializer '{name}' has {data.Length} values for shape [{string.Join(", ", dims)}].");
        }

        var tensor = new TensorProto
        {
            Name = Unique(name),
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan())),
        };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node reading the current tensor (then <paramref name="extraInputs"/>); its output becomes the current tensor.</summary>
    public NodeProto AddNode(string opType, string path, long[] outputShape, IEnumerable<string> extraInputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto
        {
            OpType = opType,
            Name = Unique($"/{path}/{opType}"),
        };
        node.Input.Add(CurrentName);
        node.Input.AddRange(extraInputs);
        node.Output.Add(Unique($"/{path}/{opType}_output_0"));
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        CurrentName = node.Output[0];
        CurrentShape = outputShape;
        return node;
    }

    /// <summary>Gives the current tensor the graph output's name, adding an Identity node when no node produces it.</summary>
    public void NameOutput(string outputName)
    {
        if (Graph.Node.Count == 0)
        {
            AddNode("Identity", "output", CurrentShape, []);
        }

        var last = Graph.Node[^1];
        last.Output[0] = outputName;
        CurrentName = outputName;
    }

    /// <summary>A tensor value description: float elements, a symbolic batch dimension then the static <paramref name="shape"/>.</summary>
    public static ValueInfoProto FloatValueInfo(string name, string batchDimension, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batchDimension });
        foreach (long d in shape)
        {
            tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = tensorShape,
                },
            },
        };
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }
}

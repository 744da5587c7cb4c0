using System.Globalization;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static Cry.Training.Torch.Onnx.OnnxGraphBuilder;
using static TorchSharp.torch;

namespace Cry.Training.Torch.Onnx;

/// <summary>Writes a TorchSharp <see cref="Sequential"/> image classifier as an ONNX model (IR 8, opset 17).</summary>
/// <remarks>
/// TorchSharp has no ONNX exporter, so this one maps each layer of a Sequential (nested Sequentials are walked in
/// order) to ONNX operators:
/// Conv2d → Conv (any kernel, stride, zero padding including "same"/"valid", dilation, groups, with or without bias);
/// BatchNorm2d → folded into the Conv2d directly before it, or BatchNormalization with its running statistics and ε
/// (<see cref="OnnxExportOptions.FoldBatchNorm"/>); ReLU → Relu; MaxPool2d → MaxPool; AvgPool2d → AveragePool;
/// AdaptiveAvgPool2d with output size 1 → GlobalAveragePool; Flatten(1, −1) → Flatten(axis 1); Linear → Gemm (transB 1);
/// Softmax → Softmax; LogSoftmax → LogSoftmax; Dropout and Identity are omitted.
/// The graph always has inference semantics (BatchNorm2d uses running statistics, Dropout is dropped), whatever mode
/// the model is in. The input is <see cref="InputName"/> of shape [<see cref="BatchDimension"/>, C, H, W], the
/// output <see cref="OutputName"/> of shape [<see cref="BatchDimension"/>, …] (for a classifier [batch, classes]);
/// shapes are propagated layer by layer and checked against each layer's channel and feature counts.
/// Weights are float initializers stored as raw little-endian data, named after the module path (<c>3.weight</c>);
/// a folded convolution keeps its own names and carries the folded values.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The name of the graph input.</summary>
    public const string InputName = "input";

    /// <summary>The name of the graph output.</summary>
    public const string OutputName = "logits";

    /// <summary>The symbolic name of the batch dimension of the input and the output.</summary>
    public const string BatchDimension = "batch";

    /// <summary>The ONNX IR version written.</summary>
    public const long IrVersion = 8;

    /// <summary>The version of the default ONNX operator set the graph uses.</summary>
    public const long OpsetVersion = 17;

    /// <summary>The producer name written into the model.</summary>
    public const string ProducerName = "CryFunctions";

    /// <summary>Exports <paramref name="model"/> for inputs of shape [batch, C, H, W] to a stream.</summary>
    /// <param name="model">A Sequential of supported layers (or one supported layer).</param>
    /// <param name="inputShape">The input shape without the batch dimension: C, H, W.</param>
    /// <param name="destination">A writable stream; the serialised ModelProto is written at its position.</param>
    /// <param name="options">Metadata and export choices; null for the defaults.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The shape is not three positive sizes, does not fit the layers, or the stream is not writable.</exception>
    /// <exception cref="NotSupportedException">A layer, or a setting of one, has no ONNX mapping here; the message names its type and position.</exception>
    public static void Export(nn.Module<Tensor, Tensor> model, long[] inputShape, Stream destination, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        }

        var proto = BuildModel(model, inputShape, options ?? new OnnxExportOptions());
        proto.WriteTo(destination);
    }

    /// <summary>Exports <paramref name="model"/> for inputs of shape [batch, C, H, W] to a file, replacing it.</summary>
    /// <param name="model">A Sequential of supported layers (or one supported layer).</param>
    /// <param name="inputShape">The input shape without the batch dimension: C, H, W.</param>
    /// <param name="path">The file to write; nothing is written when the export fails.</param>
    /// <param name="options">Metadata and export choices; null for the defaults.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The path is empty, or the shape is not three positive sizes or does not fit the layers.</exception>
    /// <exception cref="NotSupportedException">A layer, or a setting of one, has no ONNX mapping here; the message names its type and position.</exception>
    public static void Export(nn.Module<Tensor, Tensor> model, long[] inputShape, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var proto = BuildModel(model, inputShape, options ?? new OnnxExportOptions());
        using var file = File.Create(path);
        proto.WriteTo(file);
    }

    /// <summary>Builds the ONNX model of <paramref name="model"/> without serialising it.</summary>
    internal static ModelProto BuildModel(nn.Module<Tensor, Tensor> model, long[] inputShape, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(options);
        if (inputShape.Length != 3)
        {
            throw new ArgumentException($"The input shape must be C, H, W; got {inputShape.Length} sizes.", nameof(inputShape));
        }

        foreach (long size in inputShape)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, nameof(inputShape));
        }

        if (!BitConverter.IsLittleEndian)
        {
            // ONNX raw tensor data is little-endian; the initializers copy memory as it is.
            throw new PlatformNotSupportedException("ONNX export needs a little-endian machine.");
        }

        var layers = new List<Layer>();
        CollectLayers(model, string.Empty, layers);

        var graph = new OnnxGraphBuilder(InputName, (long[])inputShape.Clone());
        using (no_grad())
        {
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                if (layer.Module is Conv2d conv)
                {
                    Layer? norm = options.FoldBatchNorm && i + 1 < layers.Count && layers[i + 1].Module is BatchNorm2d ? layers[i + 1] : null;
                    AddConv(graph, layer, conv, norm);
                    if (norm is not null)
                    {
                        i++;
                    }
                }
                else
                {
                    AddLayer(graph, layer);
                }
            }
        }

        graph.NameOutput(OutputName);
        graph.Graph.Name = "CryNet";
        graph.Graph.Input.Add(FloatValueInfo(InputName, BatchDimension, inputShape));
        graph.Graph.Output.Add(FloatValueInfo(OutputName, BatchDimension, graph.CurrentShape));

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? string.Empty,
            ModelVersion = options.ModelVersion,
            DocString = options.DocString ?? string.Empty,
            Graph = graph.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion });
        foreach (var (key, value) in options.MetadataProps)
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return proto;
    }

    private static void CollectLayers(nn.Module module, string path, List<Layer> layers)
    {
        if (module is Sequential sequential)
        {
            foreach (var (name, child) in sequential.named_children())
            {
                CollectLayers(child, path.Length == 0 ? name : $"{path}.{name}", layers);
            }
        }
        else
        {
            layers.Add(new Layer(layers.Count, path.Length == 0 ? "layer" : path, module));
        }
    }

    private static void AddLayer(OnnxGraphBuilder graph, Layer layer)
    {
        long[] shape = graph.CurrentShape;
        switch (layer.Module)
        {
            case Dropout or Identity:
                break;
            case ReLU:
                graph.AddNode("Relu", layer.Path, shape, []);
                break;
            case BatchNorm2d norm:
                AddBatchNorm(graph, layer, norm);
                break;
            case MaxPool2d pool:
                AddMaxPool(graph, layer, pool);
                break;
            case AvgPool2d pool:
                AddAvgPool(graph, layer, pool);
                break;
            case AdaptiveAvgPool2d pool:
                RequireImage(graph, layer);
                if (pool.output_size is null || pool.output_size.Length == 0 || pool.output_size.Any(s => s != 1))
                {
                    throw Unsupported(layer, "only an output size of 1 (global average pooling) is exported");
                }

                graph.AddNode("GlobalAveragePool", layer.Path, [shape[0], 1, 1], []);
                break;
            case Flatten flatten:
                AddFlatten(graph, layer, flatten);
                break;
            case Linear linear:
                AddLinear(graph, layer, linear);
                break;
            case Softmax softmax:
                graph.AddNode("Softmax", layer.Path, shape, [], Int("axis", NormaliseAxis(layer, softmax.dim, shape.Length + 1)));
                break;
            case LogSoftmax logSoftmax:
                graph.AddNode("LogSoftmax", layer.Path, shape, [], Int("axis", NormaliseAxis(layer, logSoftmax.dim, shape.Length + 1)));
                break;
            default:
                throw new NotSupportedException(
                    $"Layer {layer.Index} ('{layer.Path}') is a {layer.Module.GetType().Name}, which the ONNX export does not support.");
        }
    }

    private static void AddConv(OnnxGraphBuilder graph, Layer layer, Conv2d conv, Layer? normLayer)
    {
        long[] shape = RequireImage(graph, layer);
        if (conv.transposed)
        {
            throw Unsupported(layer, "transposed convolution is not exported");
        }

        if (conv.padding_mode != PaddingModes.Zeros)
        {
            throw Unsupported(layer, $"padding mode {conv.padding_mode} is not exported; only zero padding is");
        }

        if (conv.in_channels != shape[0])
        {
            throw ShapeMismatch(layer, $"it takes {conv.in_channels} channels but receives {shape[0]}");
        }

        long[] kernel = Pair(conv.kernel_size, 1);
        long[] stride = Pair(conv.stride, 1);
        long[] dilation = Pair(conv.dilation, 1);
        long[] pads = conv.padding_type switch
        {
            Padding.Same => SamePads(kernel, dilation),
            Padding.Valid => [0, 0, 0, 0],
            _ => SymmetricPads(conv.padding),
        };
        long height = OutputSize(layer, shape[1], kernel[0], stride[0], pads[0] + pads[2], dilation[0]);
        long width = OutputSize(layer, shape[2], kernel[1], stride[1], pads[1] + pads[3], dilation[1]);

        long outChannels = conv.out_channels;
        long[] weightDims = [outChannels, conv.in_channels / conv.groups, kernel[0], kernel[1]];
        float[] weight = ToFloats(conv.weight!);
        float[]? bias = conv.bias is null ? null : ToFloats(conv.bias);
        if (normLayer is not null)
        {
            var norm = (BatchNorm2d)normLayer.Module;
            if (norm.num_features != outChannels)
            {
                throw ShapeMismatch(normLayer, $"it normalises {norm.num_features} channels but receives {outChannels}");
            }

            bias = FoldIntoConv(normLayer, norm, weight, bias, outChannels);
        }

        var inputs = new List<string> { graph.AddInitializer($"{layer.Path}.weight", weight, weightDims) };
        if (bias is not null)
        {
            inputs.Add(graph.AddInitializer($"{layer.Path}.bias", bias, outChannels));
        }

        graph.AddNode(
            "Conv",
            layer.Path,
            [outChannels, height, width],
            inputs,
            Ints("kernel_shape", kernel),
            Ints("strides", stride),
            Ints("pads", pads),
            Ints("dilations", dilation),
            Int("group", conv.groups));
    }

    /// <summary>Scales <paramref name="weight"/> in place per output channel and returns the folded bias.</summary>
    private static float[] FoldIntoConv(Layer layer, BatchNorm2d norm, float[] weight, float[]? bias, long outChannels)
    {
        var (gamma, beta, mean, variance) = NormStatistics(layer, norm);
        int perChannel = (int)(weight.Length / outChannels);
        float[] folded = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            double scale = (gamma?[o] ?? 1.0) / Math.Sqrt(variance[o] + norm.eps);
            var row = weight.AsSpan(o * perChannel, perChannel);
            for (int j = 0; j < row.Length; j++)
            {
                row[j] = (float)(row[j] * scale);
            }

            folded[o] = (float)((((bias?[o] ?? 0.0) - mean[o]) * scale) + (beta?[o] ?? 0.0));
        }

        return folded;
    }

    private static void AddBatchNorm(OnnxGraphBuilder graph, Layer layer, BatchNorm2d norm)
    {
        long[] shape = RequireImage(graph, layer);
        if (norm.num_features != shape[0])
        {
            throw ShapeMismatch(layer, $"it normalises {norm.num_features} channels but receives {shape[0]}");
        }

        var (gamma, beta, mean, variance) = NormStatistics(layer, norm);
        long channels = shape[0];
        string scale = graph.AddInitializer($"{layer.Path}.weight", gamma ?? Filled(channels, 1f), channels);
        string shift = graph.AddInitializer($"{layer.Path}.bias", beta ?? Filled(channels, 0f), channels);
        string runningMean = graph.AddInitializer($"{layer.Path}.running_mean", mean, channels);
        string runningVar = graph.AddInitializer($"{layer.Path}.running_var", variance, channels);
        graph.AddNode("BatchNormalization", layer.Path, shape, [scale, shift, runningMean, runningVar], Float("epsilon", (float)norm.eps));
    }

    private static (float[]? Gamma, float[]? Beta, float[] Mean, float[] Variance) NormStatistics(Layer layer, BatchNorm2d norm)
    {
        if (norm.running_mean is null || norm.running_var is null)
        {
            throw Unsupported(layer, "without running statistics (track_running_stats false) it has no inference form");
        }

        return (
            norm.weight is null ? null : ToFloats(norm.weight),
            norm.bias is null ? null : ToFloats(norm.bias),
            ToFloats(norm.running_mean),
            ToFloats(norm.running_var));
    }

    private static void AddMaxPool(OnnxGraphBuilder graph, Layer layer, MaxPool2d pool)
    {
        long[] shape = RequireImage(graph, layer);
        if (pool.ceil_mode)
        {
            throw Unsupported(layer, "ceil_mode is not exported");
        }

        long[] kernel = Pair(pool.kernel_size, 1);
        long[] stride = pool.stride is { Length: > 0 } ? Pair(pool.stride, 1) : kernel;
        long[] dilation = Pair(pool.dilation, 1);
        long[] pads = SymmetricPads(pool.padding);
        long height = OutputSize(layer, shape[1], kernel[0], stride[0], pads[0] + pads[2], dilation[0]);
        long width = OutputSize(layer, shape[2], kernel[1], stride[1], pads[1] + pads[3], dilation[1]);
        graph.AddNode(
            "MaxPool",
            layer.Path,
            [shape[0], height, width],
            [],
            Ints("kernel_shape", kernel),
            Ints("strides", stride),
            Ints("pads", pads),
            Ints("dilations", dilation));
    }

    private static void AddAvgPool(OnnxGraphBuilder graph, Layer layer, AvgPool2d pool)
    {
        long[] shape = RequireImage(graph, layer);
        if (pool.ceil_mode)
        {
            throw Unsupported(layer, "ceil_mode is not exported");
        }

        if (pool.divisor_override is not null)
        {
            throw Unsupported(layer, "divisor_override is not exported");
        }

        long[] kernel = Pair(pool.kernel_size, 1);
        long[] stride = pool.stride is { Length: > 0 } ? Pair(pool.stride, 1) : kernel;
        long[] pads = SymmetricPads(pool.padding);
        long height = OutputSize(layer, shape[1], kernel[0], stride[0], pads[0] + pads[2], 1);
        long width = OutputSize(layer, shape[2], kernel[1], stride[1], pads[1] + pads[3], 1);
        graph.AddNode(
            "AveragePool",
            layer.Path,
            [shape[0], height, width],
            [],
            Ints("kernel_shape", kernel),
            Ints("strides", stride),
            Ints("pads", pads),
            Int("count_include_pad", pool.count_include_pad ? 1 : 0));
    }

    private static void AddFlatten(OnnxGraphBuilder graph, Layer layer, Flatten flatten)
    {
        long[] shape = graph.CurrentShape;
        int rank = shape.Length + 1;
        if (NormaliseAxis(layer, flatten.start_dim, rank) != 1 || NormaliseAxis(layer, flatten.end_dim, rank) != rank - 1)
        {
            throw Unsupported(layer, $"only flattening dimensions 1 to the last is exported (got {flatten.start_dim} to {flatten.end_dim})");
        }

        long features = 1;
        foreach (long size in shape)
        {
            features *= size;
        }

        graph.AddNode("Flatten", layer.Path, [features], [], Int("axis", 1));
    }

    private static void AddLinear(OnnxGraphBuilder graph, Layer layer, Linear linear)
    {
        long[] shape = graph.CurrentShape;
        if (shape.Length != 1)
        {
            throw Unsupported(layer, $"it receives a tensor of rank {shape.Length + 1}; flatten to [batch, features] before a Linear layer");
        }

        if (shape[0] != linear.in_features)
        {
            throw ShapeMismatch(layer, $"it takes {linear.in_features} features but receives {shape[0]}");
        }

        var inputs = new List<string> { graph.AddInitializer($"{layer.Path}.weight", ToFloats(linear.weight!), linear.out_features, linear.in_features) };
        if (linear.bias is not null)
        {
            inputs.Add(graph.AddInitializer($"{layer.Path}.bias", ToFloats(linear.bias), linear.out_features));
        }

        graph.AddNode("Gemm", layer.Path, [linear.out_features], inputs, Int("transB", 1));
    }

    private static long[] RequireImage(OnnxGraphBuilder graph, Layer layer)
    {
        if (graph.CurrentShape.Length != 3)
        {
            throw Unsupported(layer, $"it needs a [batch, C, H, W] input but receives a tensor of rank {graph.CurrentShape.Length + 1}");
        }

        return graph.CurrentShape;
    }

    private static long NormaliseAxis(Layer layer, long axis, int rank)
    {
        long normalised = axis < 0 ? axis + rank : axis;
        if (normalised < 0 || normalised >= rank)
        {
            throw ShapeMismatch(layer, $"dimension {axis} is out of range for a tensor of rank {rank}");
        }

        return normalised;
    }

    /// <summary>PyTorch's output size: ⌊(n + padding − d·(k − 1) − 1) / s⌋ + 1.</summary>
    private static long OutputSize(Layer layer, long size, long kernel, long stride, long totalPadding, long dilation)
    {
        long span = size + totalPadding - (dilation * (kernel - 1)) - 1;
        if (span < 0 || stride <= 0)
        {
            throw ShapeMismatch(layer, $"a size of {size} is too small for kernel {kernel} with dilation {dilation} and padding {totalPadding}");
        }

        return (span / stride) + 1;
    }

    private static long[] Pair(long[]? values, long fallback) => values switch
    {
        null or { Length: 0 } => [fallback, fallback],
        { Length: 1 } => [values[0], values[0]],
        _ => [values[0], values[1]],
    };

    /// <summary>ONNX pads [top, left, bottom, right] from PyTorch's symmetric (height, width) padding.</summary>
    private static long[] SymmetricPads(long[]? padding)
    {
        long[] pair = Pair(padding, 0);
        return [pair[0], pair[1], pair[0], pair[1]];
    }

    /// <summary>PyTorch's "same" padding: the total d·(k − 1) per axis, the smaller half before.</summary>
    private static long[] SamePads(long[] kernel, long[] dilation)
    {
        long totalHeight = dilation[0] * (kernel[0] - 1);
        long totalWidth = dilation[1] * (kernel[1] - 1);
        return [totalHeight / 2, totalWidth / 2, totalHeight - (totalHeight / 2), totalWidth - (totalWidth / 2)];
    }

    private static float[] Filled(long count, float value)
    {
        float[] values = new float[count];
        Array.Fill(values, value);
        return values;
    }

    private static float[] ToFloats(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return values.data<float>().ToArray();
    }

    private static NotSupportedException Unsupported(Layer layer, string reason) =>
        new($"Layer {layer.Index} ('{layer.Path}', {layer.Module.GetType().Name}) cannot be exported to ONNX: {reason}.");

    private static ArgumentException ShapeMismatch(Layer layer, string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Layer {layer.Index} ('{layer.Path}', {layer.Module.GetType().Name}) does not fit the input shape: {reason}."), "inputShape");

    private sealed record Layer(int Index, string Path, nn.Module Module);
}

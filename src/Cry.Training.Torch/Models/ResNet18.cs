using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cry.Training.Torch.Models;

/// <summary>
/// ResNet18 (He et al. 2016) for C × S × S feature images, to fine-tune from the ImageNet weights that
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> ships as ONNX (<see cref="LoadImageNet"/>); an experiment network,
/// not exported to a bundle (its residual blocks are not layers the exporter writes).
/// </summary>
/// <remarks>
/// Layers: <c>conv1</c> (7 × 7, stride 2, padding 3) → <c>bn1</c> → <c>relu</c> → <c>maxpool</c> (3 × 3, stride 2,
/// padding 1) → <c>layer1_0</c> … <c>layer4_2</c> (basic blocks of 64, 128, 256 and 512 filters, two per stage and
/// three in the last, as in the ONNX file, which has one block more than torchvision's ResNet18; the first block of
/// stages 2–4 has stride 2 and a 1 × 1 projection) → <c>gap</c> → <c>flatten</c> → <c>dropout</c> (0.3) → <c>fc</c>
/// (Linear(512 → classes)); 15.9 M parameters. The ONNX graph pads its stride-2 layers asymmetrically
/// (begin 3 / end 2, begin 1 / end 0); on inputs of even side that gives the same windows as torch's symmetric
/// padding, because the extra padding at the end is never reached.
/// </remarks>
public static class ResNet18
{
    /// <summary>The name under which <see cref="ModelFactory"/> knows this network.</summary>
    public const string Name = "resnet18";

    // Filters, stride of the first block, blocks: the file's network has three blocks in its last stage, not two.
    private static readonly (int Filters, int Stride, int Blocks)[] s_stages = [(64, 1, 2), (128, 2, 2), (256, 2, 2), (512, 2, 3)];

    /// <summary>Creates the network with fresh weights from torch's global generator.</summary>
    /// <param name="inputChannels">Channels C of the input image.</param>
    /// <param name="inputSize">Side S of the (square) input image (any; the pooling before the classifier is global).</param>
    /// <param name="classCount">Number of output logits.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or count is not positive.</exception>
    public static Sequential Create(int inputChannels, int inputSize, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv1", nn.Conv2d(inputChannels, 64, 7, stride: 2, padding: 3, bias: false)),
            ("bn1", nn.BatchNorm2d(64)),
            ("relu", nn.ReLU()),
            ("maxpool", nn.MaxPool2d(3, stride: 2, padding: 1)),
        };
        long channels = 64;
        for (int stage = 0; stage < s_stages.Length; stage++)
        {
            var (filters, stride, blocks) = s_stages[stage];
            for (int block = 0; block < blocks; block++)
            {
                string name = $"layer{stage + 1}_{block}";
                layers.Add((name, new BasicBlock(name, block == 0 ? channels : filters, filters, block == 0 ? stride : 1)));
            }

            channels = filters;
        }

        layers.Add(("gap", nn.AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("dropout", nn.Dropout(0.3)));
        layers.Add(("fc", nn.Linear(channels, classCount)));
        return nn.Sequential([.. layers]);
    }

    /// <summary>
    /// Copies the ImageNet weights of an ONNX ResNet18 (every convolution and batch normalisation; not the classifier,
    /// which the ONNX file does not have) into a network of <see cref="Create"/>.
    /// </summary>
    /// <remarks>
    /// The ONNX nodes are walked in graph order: each Conv and the BatchNormalization that reads its output form a
    /// pair; the 1 × 1 pairs are the projections of stages 2–4, the others conv1 and the blocks' two convolutions in
    /// order; every shape is checked. A first layer of C ≠ 3 channels gets the mean of the red, green and blue
    /// filters, scaled by 3 / C, in each channel (an input that repeats one image C times then gives the response to
    /// a grey image).
    /// </remarks>
    /// <param name="model">A network of <see cref="Create"/>.</param>
    /// <param name="onnxPath">The ONNX file (ResNet18.onnx of Microsoft.ML.DnnImageFeaturizer.ResNet18).</param>
    /// <exception cref="InvalidDataException">The file is not an ONNX ResNet18 of the expected shapes.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static void LoadImageNet(Sequential model, string onnxPath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnxPath));
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"{onnxPath} is not an ONNX model: {ex.Message}", ex);
        }

        var initialisers = proto.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var pairs = new List<(TensorProto Conv, TensorProto[] Norm)>();
        foreach (var node in proto.Graph.Node.Where(n => n.OpType == "Conv"))
        {
            var norm = proto.Graph.Node.FirstOrDefault(n => n.OpType == "BatchNormalization" && n.Input[0] == node.Output[0])
                ?? throw new InvalidDataException($"{onnxPath}: the convolution {node.Name} is not followed by a batch normalisation, as in a ResNet18.");
            pairs.Add((Initialiser(initialisers, node.Input[1], onnxPath), [.. norm.Input.Skip(1).Take(4).Select(n => Initialiser(initialisers, n, onnxPath))]));
        }

        var layers = model.named_children().ToDictionary(c => c.name, c => c.module, StringComparer.Ordinal);
        var main = new List<(Conv2d Conv, BatchNorm2d Norm)> { ((Conv2d)layers["conv1"], (BatchNorm2d)layers["bn1"]) };
        var projections = new List<(Conv2d Conv, BatchNorm2d Norm)>();
        foreach (var block in layers.Values.OfType<BasicBlock>())
        {
            main.Add((block.Conv1, block.Norm1));
            main.Add((block.Conv2, block.Norm2));
            if (block.Projection is { } projection)
            {
                projections.Add(projection);
            }
        }

        var onnxMain = pairs.Where(p => !IsPointwise(p.Conv)).ToList();
        var onnxProjections = pairs.Where(p => IsPointwise(p.Conv)).ToList();
        if (onnxMain.Count != main.Count || onnxProjections.Count != projections.Count)
        {
            throw new InvalidDataException(
                $"{onnxPath} has {onnxMain.Count} convolutions and {onnxProjections.Count} projections; a ResNet18 has {main.Count} and {projections.Count}.");
        }

        using var noGrad = no_grad();
        foreach (var ((conv, norm), (onnxConv, onnxNorm)) in main.Concat(projections).Zip(onnxMain.Concat(onnxProjections)))
        {
            CopyConvolution(conv, onnxConv, onnxPath);
            var targets = new[] { norm.weight!, norm.bias!, norm.running_mean!, norm.running_var! };
            for (int i = 0; i < 4; i++)
            {
                Copy(targets[i], onnxNorm[i], onnxPath);
            }
        }
    }

    private static bool IsPointwise(TensorProto conv) => conv.Dims.Count == 4 && conv.Dims[2] == 1 && conv.Dims[3] == 1;

    private static TensorProto Initialiser(Dictionary<string, TensorProto> initialisers, string name, string path) =>
        initialisers.TryGetValue(name, out var tensor) ? tensor : throw new InvalidDataException($"{path}: the weights '{name}' are not in the file.");

    private static void CopyConvolution(Conv2d conv, TensorProto weights, string path)
    {
        long[] shape = [.. weights.Dims];
        long channels = conv.weight!.shape[1];
        if (shape.Length == 4 && shape[1] == 3 && channels != 3)
        {
            // Another number of input channels: each gets the mean of the RGB filters, scaled so a grey input responds alike.
            using var rgb = tensor(Values(weights, path), shape);
            using var grey = rgb.mean([1], keepdim: true) * (3.0 / channels);
            using var spread = grey.expand(shape[0], channels, shape[2], shape[3]);
            conv.weight.copy_(spread);
            return;
        }

        Copy(conv.weight, weights, path);
    }

    private static void Copy(Tensor target, TensorProto source, string path)
    {
        long[] shape = [.. source.Dims];
        if (!shape.SequenceEqual(target.shape))
        {
            throw new InvalidDataException($"{path}: the weights {source.Name} have the shape [{string.Join(", ", shape)}]; the network needs [{string.Join(", ", target.shape)}].");
        }

        using var values = tensor(Values(source, path), shape);
        target.copy_(values);
    }

    private static float[] Values(TensorProto source, string path)
    {
        if (source.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new InvalidDataException($"{path}: the weights {source.Name} are not 32-bit floats.");
        }

        if (source.FloatData.Count > 0)
        {
            return [.. source.FloatData];
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Reading ONNX raw weights needs a little-endian machine.");
        }

        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(source.RawData.Span).ToArray();
    }

    /// <summary>Two 3 × 3 convolutions with batch normalisation and a shortcut (a 1 × 1 projection where the shape changes).</summary>
    internal sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        public BasicBlock(string name, long inputChannels, long filters, int stride)
            : base(name)
        {
            Conv1 = nn.Conv2d(inputChannels, filters, 3, stride: stride, padding: 1, bias: false);
            Norm1 = nn.BatchNorm2d(filters);
            Conv2 = nn.Conv2d(filters, filters, 3, padding: 1, bias: false);
            Norm2 = nn.BatchNorm2d(filters);
            register_module("conv1", Conv1);
            register_module("bn1", Norm1);
            register_module("conv2", Conv2);
            register_module("bn2", Norm2);
            if (stride != 1 || inputChannels != filters)
            {
                Projection = (nn.Conv2d(inputChannels, filters, 1, stride: stride, bias: false), nn.BatchNorm2d(filters));
                register_module("downsample_conv", Projection.Value.Conv);
                register_module("downsample_bn", Projection.Value.Norm);
            }
        }

        public Conv2d Conv1 { get; }

        public BatchNorm2d Norm1 { get; }

        public Conv2d Conv2 { get; }

        public BatchNorm2d Norm2 { get; }

        public (Conv2d Conv, BatchNorm2d Norm)? Projection { get; }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = nn.functional.relu(Norm1.forward(Conv1.forward(input)));
            x = Norm2.forward(Conv2.forward(x));
            var shortcut = Projection is { } p ? p.Norm.forward(p.Conv.forward(input)) : input;
            return nn.functional.relu(x + shortcut).MoveToOuterDisposeScope();
        }
    }
}

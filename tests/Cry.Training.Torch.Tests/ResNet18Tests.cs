using Cry.Training.Torch.Tests.Onnx;
using Microsoft.ML.OnnxRuntime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Cry.Training.Torch.Models;

namespace Cry.Training.Torch.Tests;

public sealed class ResNet18Tests
{
    /// <summary>Where infra/get-resnet18.sh leaves the ImageNet ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0.</summary>
    private static string ImageNetFile => Path.Combine(
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "microsoft.ml.dnnimagefeaturizer.resnet18", "0.24.0", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    [Theory]
    [InlineData(3, 64, 5)]
    [InlineData(1, 32, 3)]
    [InlineData(3, 9, 2)]
    public void Create_AnyInput_GivesOneLogitPerClass(int channels, int size, int classes)
    {
        using var model = ModelFactory.Create(ResNet18.Name, channels, size, classes);
        model.eval();
        using var output = model.forward(randn(2, channels, size, size));
        Assert.Equal([2L, classes], output.shape);
        Assert.Equal(15_897_152d, model.parameters().Sum(p => p.numel()), 10_000d); // torchvision's ResNet18 without its classifier, and one more 512-filter block
    }

    [Fact]
    public void LoadImageNet_TheShippedResNet18_GivesTheOnnxEmbeddingAtTheGlobalPool()
    {
        Assert.SkipUnless(File.Exists(ImageNetFile), $"The ImageNet ResNet18 is not at {ImageNetFile}: infra/get-resnet18.sh fetches it (119 MB).");
        using var model = ResNet18.Create(3, 224, 5);
        ResNet18.LoadImageNet(model, ImageNetFile);
        model.eval();
        float[] input = OnnxParity.RandomInput(11, 3 * 224 * 224).Select(v => v * 60f).ToArray(); // ImageNet pixels less their mean: about ±120

        // The network up to its global average pool (the ONNX file has no classifier).
        using var x = tensor(input, [1, 3, 224, 224]);
        var h = x.alias();
        foreach (var (name, layer) in model.named_children())
        {
            if (name == "flatten")
            {
                break;
            }

            h = ((nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)layer).forward(h);
        }

        float[] torchEmbedding = h.flatten().data<float>().ToArray();
        using var session = new InferenceSession(ImageNetFile);
        string inputName = session.InputMetadata.Keys.Single();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(input, [1, 3, 224, 224]))]);
        float[] onnxEmbedding = results.Single().AsEnumerable<float>().ToArray();

        Assert.Equal(512, torchEmbedding.Length);
        Assert.Equal(512, onnxEmbedding.Length);
        float scale = onnxEmbedding.Max(Math.Abs);
        Assert.True(scale > 0.1f, $"the embedding is nearly zero ({scale})");
        for (int i = 0; i < 512; i++)
        {
            Assert.True(Math.Abs(torchEmbedding[i] - onnxEmbedding[i]) <= 1e-3f * scale, $"value {i}: torch {torchEmbedding[i]}, ONNX {onnxEmbedding[i]}");
        }
    }

    [Fact]
    public void LoadImageNet_OneChannel_GivesEachChannelTheMeanOfTheRgbFilters()
    {
        Assert.SkipUnless(File.Exists(ImageNetFile), $"The ImageNet ResNet18 is not at {ImageNetFile}: infra/get-resnet18.sh fetches it (119 MB).");
        using var rgb = ResNet18.Create(3, 64, 5);
        using var grey = ResNet18.Create(1, 64, 5);
        ResNet18.LoadImageNet(rgb, ImageNetFile);
        ResNet18.LoadImageNet(grey, ImageNetFile);

        var rgbWeight = ((Conv2d)rgb.named_children().First(c => c.name == "conv1").module).weight!;
        var greyWeight = ((Conv2d)grey.named_children().First(c => c.name == "conv1").module).weight!;
        using var expected = rgbWeight.sum([1], keepdim: true);
        Assert.True(greyWeight.allclose(expected, rtol: 1e-5, atol: 1e-6));
        var rgbLast = ((ResNet18.BasicBlock)rgb.named_children().First(c => c.name == "layer4_2").module).Conv2.weight!;
        var greyLast = ((ResNet18.BasicBlock)grey.named_children().First(c => c.name == "layer4_2").module).Conv2.weight!;
        Assert.True(rgbLast.allclose(greyLast, rtol: 0, atol: 0));
    }

    [Fact]
    public void LoadImageNet_AnotherNetworkOrNoOnnx_ThrowsInvalidData()
    {
        string folder = Directory.CreateTempSubdirectory("resnet18-").FullName;
        try
        {
            using var model = ResNet18.Create(3, 32, 5);
            string text = Path.Combine(folder, "text.onnx");
            File.WriteAllText(text, "not a model");
            Assert.Contains("is not an ONNX model", Assert.Throws<InvalidDataException>(() => ResNet18.LoadImageNet(model, text)).Message, StringComparison.Ordinal);

            // A CryNet-XS exported by the product: three convolutions with batch normalisation, no projections.
            using var other = CryNetXs.Create(3, 16, 5);
            OnnxParity.PrepareForExport(other, [3, 16, 16], seed: 1);
            string small = Path.Combine(folder, "crynet.onnx");
            File.WriteAllBytes(small, OnnxParity.Export(other, [3, 16, 16]));
            Assert.Contains("ResNet18", Assert.Throws<InvalidDataException>(() => ResNet18.LoadImageNet(model, small)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Fit_PretrainedWeightsForAnotherNetwork_Throws()
    {
        var train = QuadrantImages.Create(8, seed: 1);
        var options = new TrainingOptions { Model = CryNetXs.Name, Epochs = 1, Device = "cpu", Threads = 1, PretrainedWeights = "ResNet18.onnx" };
        Assert.Contains("initialise resnet18 only", Assert.Throws<ArgumentException>(() => Trainer.Fit(train, train, options, QuadrantImages.Accuracy)).Message, StringComparison.Ordinal);
    }
}

using Cry.Inference.Embeddings;
using Cry.TestSupport;

namespace Cry.Inference.Tests.Embeddings;

public sealed class OnnxImageEmbeddingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cry-embedding-").FullName;

    private string Network(int height, int width)
    {
        string path = Path.Combine(_folder, $"net-{height}x{width}.onnx");
        File.WriteAllBytes(path, TinyImageNetwork.OnnxBytes(height, width));
        return path;
    }

    [Fact]
    public void AnImage_IsScaledTo0To255_Resized_AndEmbedded()
    {
        using var embedding = new OnnxImageEmbedding(Network(12, 12));
        Assert.Equal((12, 12, 3), (embedding.Height, embedding.Width, embedding.Dimension));

        // Three channels of 4 × 4: constant 0, constant 1, and a left-to-right ramp. Min 0, max 1 → 0 and 255.
        var image = new float[3 * 16];
        for (int i = 0; i < 16; i++)
        {
            image[16 + i] = 1;
            image[32 + i] = (i % 4) / 3f;
        }

        var vector = embedding.Embed(image, 3, 4);
        Assert.Equal(0f, vector[0], 1e-3f);
        Assert.Equal(255f, vector[1], 1e-3f);
        Assert.Equal(127.5f, vector[2], 0.5f); // a symmetric ramp keeps its mean under bilinear resizing
    }

    [Fact]
    public void OneChannel_IsRepeatedIntoThree_AndAFlatImageIsZero()
    {
        using var embedding = new OnnxImageEmbedding(Network(8, 8));
        var ramp = Enumerable.Range(0, 25).Select(i => (float)(i / 5)).ToArray();
        var vector = embedding.Embed(ramp, 1, 5);
        Assert.Equal(vector[0], vector[1]);
        Assert.Equal(vector[0], vector[2]);
        Assert.InRange(vector[0], 100f, 155f);
        Assert.All(embedding.Embed(new float[25], 1, 5), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void APreprocessingNetwork_RunsFirst_AndMustKeepTheImagesShape()
    {
        string prep = Path.Combine(_folder, "prep.onnx");
        File.WriteAllBytes(prep, TinyImageNetwork.SubtractBytes(6, 6, 100));
        using var plain = new OnnxImageEmbedding(Network(6, 6));
        using var prepared = new OnnxImageEmbedding(Network(6, 6), prep);
        var image = Enumerable.Range(0, 27).Select(i => (float)i).ToArray();
        var a = plain.Embed(image, 3, 3);
        var b = prepared.Embed(image, 3, 3);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(a[c] - 100, b[c], 1e-3f);
        }

        Assert.Throws<InvalidDataException>(() => new OnnxImageEmbedding(Network(6, 6), Network(7, 7)));
        Assert.Contains("output", Assert.Throws<InvalidDataException>(() => new OnnxImageEmbedding(Network(6, 6), Network(6, 6))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFiles_NonOnnx_AndWrongImages_AreRefusedWithAMessage()
    {
        Assert.Contains("no such file", Assert.Throws<InvalidDataException>(() => new OnnxImageEmbedding(Path.Combine(_folder, "missing.onnx"))).Message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_folder, "junk.onnx"), "not a model");
        Assert.Contains("not an ONNX model", Assert.Throws<InvalidDataException>(() => new OnnxImageEmbedding(Path.Combine(_folder, "junk.onnx"))).Message, StringComparison.Ordinal);
        using var embedding = new OnnxImageEmbedding(Network(4, 4));
        Assert.Throws<ArgumentException>(() => embedding.Embed(new float[2 * 16], 2, 4));
        Assert.Throws<ArgumentException>(() => embedding.Embed(new float[10], 1, 4));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

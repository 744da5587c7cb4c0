using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Cry.Inference.Embeddings;

/// <summary>
/// A pretrained image network in ONNX (e.g. ImageNet ResNet18) as a frozen feature extractor: the product's feature
/// image (one channel, or three) in, the network's pooled activations out, one vector per image.
/// </summary>
/// <remarks>
/// The image is scaled to the 0–255 pixel range by its own minimum and maximum (a feature image has no fixed
/// brightness), resized bilinearly to the network's input (half-pixel centres, as image libraries do), a single
/// channel repeated into three; then the optional preprocessing network (ML.NET's ResNetPreprocess.onnx subtracts the
/// ImageNet mean image) and the network run, and every value of the first output is the embedding. The network's
/// input must be N × 3 × H × W with H and W fixed. Not thread-safe per instance (one input buffer).
/// </remarks>
public sealed class OnnxImageEmbedding : IDisposable
{
    private readonly InferenceSession _network;
    private readonly InferenceSession? _preprocess;
    private readonly string _input;
    private readonly string? _preprocessInput;
    private readonly float[] _pixels;

    /// <summary>Loads the network (and its preprocessing network, when given).</summary>
    /// <param name="networkPath">The ONNX network.</param>
    /// <param name="preprocessPath">An ONNX network applied to the 0–255 pixels first, with the same input and output shape, or null.</param>
    /// <param name="threads">ONNX Runtime's threads per call (0: its default).</param>
    /// <exception cref="InvalidDataException">A file is missing, is not ONNX, or its input is not N × 3 × H × W.</exception>
    public OnnxImageEmbedding(string networkPath, string? preprocessPath = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(networkPath);
        using var options = new SessionOptions { IntraOpNumThreads = Math.Max(0, threads), InterOpNumThreads = 1 };
        _network = Load(networkPath, options);
        try
        {
            (_input, Height, Width) = ImageInput(_network, networkPath);
            var output = _network.OutputMetadata.First().Value.Dimensions;
            Dimension = output.Skip(1).Aggregate(1, (a, d) => a * Math.Max(d, 1));
            if (preprocessPath is not null)
            {
                _preprocess = Load(preprocessPath, options);
                var (input, height, width) = ImageInput(_preprocess, preprocessPath);
                if (height != Height || width != Width)
                {
                    throw new InvalidDataException($"{preprocessPath}: its input is {height} × {width}, the network's {Height} × {Width}.");
                }

                int[] prepared = _preprocess.OutputMetadata.First().Value.Dimensions;
                if (prepared.Length != 4 || prepared[1] != 3 || prepared[2] != Height || prepared[3] != Width)
                {
                    throw new InvalidDataException($"{preprocessPath}: its output is [{string.Join(", ", prepared)}], not the image N × 3 × {Height} × {Width} the network takes.");
                }

                _preprocessInput = input;
            }
        }
        catch
        {
            _network.Dispose();
            _preprocess?.Dispose();
            throw;
        }

        _pixels = new float[3 * Height * Width];
    }

    /// <summary>The network's input height.</summary>
    public int Height { get; }

    /// <summary>The network's input width.</summary>
    public int Width { get; }

    /// <summary>Values per embedding.</summary>
    public int Dimension { get; }

    /// <summary>The embedding of one feature image.</summary>
    /// <param name="image">Channels × size × size, channel-major.</param>
    /// <param name="channels">1 or 3.</param>
    /// <param name="size">The image's side.</param>
    /// <exception cref="ArgumentException">The image is not 1 or 3 channels of size × size.</exception>
    public float[] Embed(ReadOnlySpan<float> image, int channels, int size)
    {
        if (channels is not (1 or 3) || size < 1 || image.Length != channels * size * size)
        {
            throw new ArgumentException($"An image of 1 or 3 channels of size × size is needed, not {image.Length} values as {channels} × {size}².", nameof(image));
        }

        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in image)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        float scale = max > min ? 255f / (max - min) : 0f;
        int plane = Height * Width;
        for (int c = 0; c < 3; c++)
        {
            var source = image.Slice((channels == 1 ? 0 : c) * size * size, size * size);
            Resize(source, size, _pixels.AsSpan(c * plane, plane), min, scale);
        }

        var tensor = new DenseTensor<float>(_pixels, [1, 3, Height, Width]);
        if (_preprocess is not null)
        {
            using var prepared = _preprocess.Run([NamedOnnxValue.CreateFromTensor(_preprocessInput!, tensor)]);
            tensor = new DenseTensor<float>(prepared.First().AsTensor<float>().ToArray(), [1, 3, Height, Width]);
        }

        using var result = _network.Run([NamedOnnxValue.CreateFromTensor(_input, tensor)]);
        return result.First().AsTensor<float>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _network.Dispose();
        _preprocess?.Dispose();
    }

    /// <summary>Bilinear resize with half-pixel centres, (value − min) · scale on the way.</summary>
    private void Resize(ReadOnlySpan<float> source, int size, Span<float> destination, float min, float scale)
    {
        for (int y = 0; y < Height; y++)
        {
            double sy = Math.Clamp(((y + 0.5) * size / Height) - 0.5, 0, size - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, size - 1);
            double fy = sy - y0;
            for (int x = 0; x < Width; x++)
            {
                double sx = Math.Clamp(((x + 0.5) * size / Width) - 0.5, 0, size - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, size - 1);
                double fx = sx - x0;
                double top = (source[(y0 * size) + x0] * (1 - fx)) + (source[(y0 * size) + x1] * fx);
                double bottom = (source[(y1 * size) + x0] * (1 - fx)) + (source[(y1 * size) + x1] * fx);
                destination[(y * Width) + x] = (float)((((top * (1 - fy)) + (bottom * fy)) - min) * scale);
            }
        }
    }

    private static InferenceSession Load(string path, SessionOptions options)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: no such file.");
        }

        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"{path}: not an ONNX model ONNX Runtime can load: {ex.Message}", ex);
        }
    }

    private static (string Name, int Height, int Width) ImageInput(InferenceSession session, string path)
    {
        var (name, metadata) = session.InputMetadata.First();
        int[] dims = metadata.Dimensions;
        if (session.InputMetadata.Count != 1 || metadata.ElementType != typeof(float) || dims.Length != 4 || dims[1] != 3 || dims[2] < 1 || dims[3] < 1)
        {
            throw new InvalidDataException($"{path}: an image network takes one float input N × 3 × H × W, not [{string.Join(", ", dims)}].");
        }

        return (name, dims[2], dims[3]);
    }
}

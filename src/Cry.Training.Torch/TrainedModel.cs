using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Cry.Training.Torch.Models;

namespace Cry.Training.Torch;

/// <summary>A trained network in eval mode with the input normalisation it was trained with and its training history.</summary>
/// <remarks>Not thread-safe: one <see cref="Predict"/> at a time. Owns the module; dispose to free its tensors.</remarks>
public sealed class TrainedModel : IDisposable
{
    private const int PredictBatchSize = 64;
    private readonly Device _device;

    internal TrainedModel(
        Sequential module,
        string modelName,
        int inputChannels,
        int inputHeight,
        int inputWidth,
        int classCount,
        ChannelNormalization normalization,
        Device device,
        IReadOnlyList<EpochReport> history,
        int bestEpoch)
    {
        Module = module;
        ModelName = modelName;
        InputChannels = inputChannels;
        InputHeight = inputHeight;
        InputWidth = inputWidth;
        ClassCount = classCount;
        Normalization = normalization;
        _device = device;
        History = history;
        BestEpoch = bestEpoch;
    }

    /// <summary>The network, a sequence of named standard layers, in eval mode.</summary>
    public Sequential Module { get; }

    /// <summary>The <see cref="ModelFactory"/> name of the network.</summary>
    public string ModelName { get; }

    /// <summary>Channels C of an input image.</summary>
    public int InputChannels { get; }

    /// <summary>Height H of an input image.</summary>
    public int InputHeight { get; }

    /// <summary>Width W of an input image.</summary>
    public int InputWidth { get; }

    /// <summary>Number of classes, the width of the logits.</summary>
    public int ClassCount { get; }

    /// <summary>The normalisation applied to every input before the network.</summary>
    public ChannelNormalization Normalization { get; }

    /// <summary>One report per trained epoch; empty for a model read by <see cref="LoadWeights"/>.</summary>
    public IReadOnlyList<EpochReport> History { get; }

    /// <summary>The 1-based epoch whose weights the model holds.</summary>
    public int BestEpoch { get; }

    /// <summary>The device type the module lives on, e.g. CPU or CUDA.</summary>
    public DeviceType DeviceType => _device.type;

    /// <summary>Logits of <paramref name="count"/> images (normalised here), in batches, in eval mode, without gradients.</summary>
    /// <param name="inputs">count × C × H × W values, as in <see cref="TrainingData.Inputs"/>.</param>
    /// <param name="count">Number of images.</param>
    /// <returns>A count × <see cref="ClassCount"/> array of logits.</returns>
    /// <exception cref="ArgumentException">The input length is not count × C × H × W.</exception>
    public float[,] Predict(float[] inputs, int count)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long sampleLength = (long)InputChannels * InputHeight * InputWidth;
        if (inputs.LongLength != count * sampleLength)
        {
            throw new ArgumentException(
                $"Expected {count} × {InputChannels} × {InputHeight} × {InputWidth} = {count * sampleLength} values, got {inputs.Length}.",
                nameof(inputs));
        }

        var logits = new float[count, ClassCount];
        if (count == 0)
        {
            return logits;
        }

        Module.eval();
        using var noGrad = no_grad();
        using var all = tensor(inputs, [count, InputChannels, InputHeight, InputWidth]);
        for (int start = 0; start < count; start += PredictBatchSize)
        {
            int length = Math.Min(PredictBatchSize, count - start);
            using var scope = NewDisposeScope();
            var batch = Normalization.Apply(all.narrow(0, start, length).to(_device));
            var values = Module.forward(batch).cpu().data<float>();
            for (int i = 0; i < length; i++)
            {
                for (int k = 0; k < ClassCount; k++)
                {
                    logits[start + i, k] = values[(i * ClassCount) + k];
                }
            }
        }

        return logits;
    }

    /// <summary>Writes the state dict to <paramref name="path"/> (TorchSharp's format) and the model description to <paramref name="path"/>.json.</summary>
    /// <remarks>
    /// The JSON side file holds the network name, input shape, class count, normalisation and best epoch, everything
    /// <see cref="LoadWeights"/> needs besides the weights; the state dict file alone loads into
    /// <see cref="ModelFactory.Create"/>'s network with TorchSharp's <c>Module.load</c>.
    /// </remarks>
    public void SaveWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Module.save(path);
        var info = new WeightsInfo(
            ModelName, InputChannels, InputHeight, InputWidth, ClassCount, [.. Normalization.Mean], [.. Normalization.Std], BestEpoch);
        File.WriteAllText(DescriptionPath(path), JsonSerializer.Serialize(info, s_json));
    }

    /// <summary>Reads a model written by <see cref="SaveWeights"/> onto <paramref name="device"/> ("auto", "cpu" or "cuda").</summary>
    /// <exception cref="FileNotFoundException">The weights or their .json description are missing.</exception>
    /// <exception cref="InvalidDataException">The description is not valid.</exception>
    /// <exception cref="InvalidOperationException">Device "cuda" was asked for and CUDA is not available.</exception>
    public static TrainedModel LoadWeights(string path, string device = "auto")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Device target = TorchDevices.Resolve(device);
        string descriptionPath = DescriptionPath(path);
        WeightsInfo info = JsonSerializer.Deserialize<WeightsInfo>(File.ReadAllText(descriptionPath), s_json)
            ?? throw new InvalidDataException($"'{descriptionPath}' holds no model description.");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The weights file '{path}' is missing.", path);
        }

        ChannelNormalization normalization;
        Sequential module;
        try
        {
            normalization = new ChannelNormalization(info.Mean, info.Std);
            module = ModelFactory.Create(info.Model, info.Channels, Math.Min(info.Height, info.Width), info.Classes);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{descriptionPath}' is not a valid model description: {e.Message}", e);
        }

        try
        {
            module.load(path);
            module.to(target);
            module.eval();
            return new TrainedModel(
                module, info.Model, info.Channels, info.Height, info.Width, info.Classes, normalization, target, [], info.BestEpoch);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Frees the module's tensors.</summary>
    public void Dispose() => Module.Dispose();

    private static string DescriptionPath(string path) => path + ".json";

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    private sealed record WeightsInfo(
        string Model, int Channels, int Height, int Width, int Classes, float[] Mean, float[] Std, int BestEpoch);
}

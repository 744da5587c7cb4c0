using System.Text.Json;
using Cry.Audio;
using Cry.Audio.Augmentation;
using Cry.Features;
using Cry.Training.Data;
using Cry.TestSupport;
using Cry.Audio.Wav;

namespace Cry.Inference.Tests;

public sealed class PredictorTests : IDisposable
{
    private static readonly string[] s_labels = ["belly_pain", "hungry", "tired"];
    private readonly TempBundles _temp = new();

    private Predictor Create(TinyBundle bundle, InferenceOptions? options = null)
    {
        string folder = _temp[bundle.ModelId];
        bundle.Write(folder);
        return Predictor.FromFolder(folder, options ?? new InferenceOptions { Device = "cpu" });
    }

    [Fact]
    public void ShortRecording_IsOneWindow_WithTheBundlesProbabilities()
    {
        var bundle = TinyBundle.Create(s_labels) with { Mean = [0.1f, -0.2f, 0.3f], Std = [0.5f, 2f, 1f], Temperature = 1.7 };
        using var predictor = Create(bundle);
        var clip = SyntheticCry.Generate(16000, 7.0, seed: 3);

        var result = predictor.Predict(WavEncoder.Encode(clip.Samples, clip.SampleRate, WavSampleFormat.Float32));

        var features = Predictor.ComputeFeatures(new FeatureExtractor(bundle.Spec), clip);
        double[] expected = bundle.Expected(features[0].Tensor);
        Assert.Single(result.Windows);
        Assert.Equal(0, result.Windows[0].StartSeconds);
        for (int k = 0; k < s_labels.Length; k++)
        {
            Assert.Equal(expected[k], result.Probabilities![s_labels[k]], tolerance: 2e-5);
        }

        int best = Array.IndexOf(expected, expected.Max());
        Assert.Equal(s_labels[best], result.Label);
        Assert.Equal(expected[best], result.Confidence!.Value, tolerance: 2e-5);
        Assert.Equal(7.0, result.DurationSeconds, 3);
        Assert.Equal("tiny", result.ModelId);
        Assert.False(result.Silent);
        Assert.True(result.TimingsMs.Decode >= 0 && result.TimingsMs.Features > 0 && result.TimingsMs.Inference > 0);
    }

    [Fact]
    public void Features_AreTheTrainingPipelinesTensor_BitForBit()
    {
        // The training pipeline reads the file, decodes, prepares and images it (FeaturizedDataset, variant 0).
        string data = _temp["data"];
        Directory.CreateDirectory(Path.Combine(data, "hungry"));
        Directory.CreateDirectory(Path.Combine(data, "tired"));
        var clips = new[] { (Label: "hungry", Seconds: 7.0, Rate: 44100), (Label: "tired", Seconds: 3.0, Rate: 11025), (Label: "hungry", Seconds: 8.1, Rate: 8000) };
        for (int i = 0; i < clips.Length; i++)
        {
            var clip = SyntheticCry.Generate(clips[i].Rate, clips[i].Seconds, seed: (ulong)i + 10);
            File.WriteAllBytes(Path.Combine(data, clips[i].Label, $"clip{i}.wav"), WavEncoder.Encode(clip.Samples, clip.SampleRate));
        }

        var bundle = TinyBundle.Create(["hungry", "tired"]);
        var dataset = ClipDataset.FromFolder(data);
        var trained = FeaturizedDataset.Compute(dataset, bundle.Spec, AugmentationPolicy.None);
        var extractor = new FeatureExtractor(bundle.Spec);
        for (int i = 0; i < dataset.Count; i++)
        {
            var signal = WavDecoder.Default.Decode(File.ReadAllBytes(dataset.Clips[i].Path));
            var predicted = Predictor.ComputeFeatures(extractor, signal);
            Assert.Single(predicted);
            Assert.Equal(trained.Variants[i][0], predicted[0].Tensor); // exact equality of every float
        }
    }

    [Fact]
    public void LongRecording_IsScoredInHalfOverlappingWindows_EndingAtTheEnd_CombinedByMeanLogProbability()
    {
        var bundle = TinyBundle.Create(s_labels);
        using var predictor = Create(bundle);
        var clip = SyntheticCry.Generate(8000, 20.0, seed: 5);

        var result = predictor.Predict(WavEncoder.Encode(clip.Samples, clip.SampleRate, WavSampleFormat.Float32));

        Assert.Equal([0, 3.25, 6.5, 9.75, 13.0, 13.5], result.Windows.Select(w => w.StartSeconds));
        var features = Predictor.ComputeFeatures(new FeatureExtractor(bundle.Spec), clip);
        var logMeans = s_labels.Select((_, k) => features.Average(f => Math.Log(bundle.Expected(f.Tensor)[k]))).ToArray();
        double total = logMeans.Sum(Math.Exp);
        for (int k = 0; k < s_labels.Length; k++)
        {
            Assert.Equal(Math.Exp(logMeans[k]) / total, result.Probabilities![s_labels[k]], tolerance: 2e-5);
            for (int w = 0; w < features.Count; w++)
            {
                Assert.Equal(bundle.Expected(features[w].Tensor)[k], result.Windows[w].Probabilities[s_labels[k]], tolerance: 2e-5);
            }
        }
    }

    [Fact]
    public void UpTo125Windows_IsOneWindow_LongerGetsAWindowEndingAtTheEnd()
    {
        var bundle = TinyBundle.Create(s_labels);
        using var predictor = Create(bundle);
        Assert.Single(predictor.Predict(SyntheticCry.Generate(8000, 8.1, seed: 2)).Windows); // 8.1 s ≤ 1.25 × 6.5 s

        // 8.2 s: the window at 0 and one ending at 8.2 s (start 1.7 s); the regular hop (3.25 s) would leave the window.
        var result = predictor.Predict(SyntheticCry.Generate(8000, 8.2, seed: 2));
        Assert.Equal([0, 1.7], result.Windows.Select(w => w.StartSeconds));
    }

    [Fact]
    public void Silence_IsFlaggedSilentAndUncertain()
    {
        using var predictor = Create(TinyBundle.Create(s_labels));
        var result = predictor.Predict(WavEncoder.Encode(new float[8000 * 3], 8000));
        Assert.True(result.Silent);
        Assert.True(result.Uncertain);
    }

    [Fact]
    public void ASingleModelBundle_StillAnswers_ButNeverConfidently_AndWithoutDetectionOrSet()
    {
        // Format 1 bundles had an uncertainty threshold chosen on a small validation share; nothing certified it, so
        // their answers are never confident, even with a threshold of 0.
        var clip = SyntheticCry.Generate(8000, 7.0, seed: 9);
        using var predictor = Create(TinyBundle.Create(s_labels, "a") with { UncertaintyThreshold = 0 });
        var result = predictor.Predict(clip);
        Assert.True(result.Uncertain);
        Assert.Null(result.CertifiedPrecision);
        Assert.Null(result.CryDetected);
        Assert.Null(result.CryProbability);
        Assert.Null(result.LabelSet);
        Assert.Null(result.SetLevel);
        Assert.NotNull(result.Label);
        Assert.Empty(result.Segments);
    }

    [Fact]
    public void Json_HasTheContractsNames()
    {
        using var predictor = Create(TinyBundle.Create(s_labels));
        var clip = SyntheticCry.Generate(8000, 7.0, seed: 1);
        using var json = JsonDocument.Parse(predictor.Predict(clip).ToJson());
        var root = json.RootElement;
        foreach (string name in new[] { "cryDetected", "cryProbability", "label", "labelSet", "setLevel", "confidence", "uncertain", "certifiedPrecision", "silent", "probabilities", "priors", "segments", "windows", "durationSeconds", "modelId", "timingsMs" })
        {
            Assert.True(root.TryGetProperty(name, out _), name);
        }

        Assert.Equal(s_labels, root.GetProperty("probabilities").EnumerateObject().Select(p => p.Name));
        var window = root.GetProperty("windows")[0];
        Assert.True(window.TryGetProperty("startSeconds", out _));
        Assert.True(window.TryGetProperty("probabilities", out _));
        foreach (string name in new[] { "decode", "features", "inference" })
        {
            Assert.True(root.GetProperty("timingsMs").TryGetProperty(name, out _), name);
        }
    }

    [Theory]
    [InlineData(0.5)] // below the 1 s minimum
    [InlineData(0)]
    public void TooShortOrEmpty_IsAnAudioFormatError(double seconds)
    {
        using var predictor = Create(TinyBundle.Create(s_labels));
        var samples = new float[(int)(8000 * seconds)];
        samples.AsSpan().Fill(0.1f);
        var ex = Assert.ThrowsAny<AudioFormatException>(() => predictor.Predict(WavEncoder.Encode(samples, 8000)));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    public void Dispose() => _temp.Dispose();
}

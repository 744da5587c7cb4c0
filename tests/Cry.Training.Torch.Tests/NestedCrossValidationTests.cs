using Cry.Features.Specs;
using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.Torch.Experiments;

namespace Cry.Training.Torch.Tests;

public class NestedCrossValidationTests
{
    private const int PerClass = 12;
    private static readonly string[] s_labels = ["a", "b", "c"];

    private static readonly FeatureSpec s_spec = FeatureSpec.Parse("""
        { "sampleRate": 8000, "durationSeconds": 1.5, "nFft": 256, "hopLength": 64, "center": true,
          "nMels": 32, "fMin": 0, "fMax": 4000, "htk": false, "melNorm": "slaney", "power": 2.0,
          "topDb": 80, "dbRef": "one", "nMfcc": 20, "lifter": 0, "series": "mean",
          "image": { "channels": ["gasf"], "size": 8 } }
        """);

    private static readonly ExperimentOptions s_options = new()
    {
        Folds = 3,
        Seed = 5,
        Training = new TrainingOptions { Epochs = 8, Patience = 0, LearningRate = 0.01, BatchSize = 8, Seed = 5, Device = "cpu", Threads = 1 },
    };

    [Fact]
    public void Run_ChoosesTheInformativeCandidateInEveryOuterFold_AndMeasuresItsGain()
    {
        var clips = Clips();
        var signal = new NestedCandidate("signal", Featurized(clips, informative: true), s_options);
        var noise = new NestedCandidate("noise", Featurized(clips, informative: false), s_options);

        var result = NestedCrossValidation.Run([noise, signal], innerFolds: 2, new BootstrapOptions { Seed = 1, Resamples = 500 });

        Assert.Equal(["noise", "signal"], result.Candidates);
        Assert.Equal(3, result.Choices.Count);
        Assert.All(result.Choices, c => Assert.Equal("signal", c.Chosen));
        Assert.All(result.Choices, c => Assert.True(c.InnerLogLoss[1] < c.InnerLogLoss[0], $"inner log-loss noise {c.InnerLogLoss[0]}, signal {c.InnerLogLoss[1]}"));
        Assert.Equal(3, result.Agreement);

        // The procedure chose "signal" everywhere, so its outer predictions are signal's own: no gain over it, a clear one over noise.
        Assert.Equal(result.CandidateReports[1].LogLoss!.Value, result.LogLoss, 9);
        Assert.Equal(0, result.LogLossGain[1].Estimate, 9);
        Assert.False(result.LogLossGain[1].Better || result.LogLossGain[1].Worse);
        Assert.True(result.LogLossGain[0].Better, $"gain over noise {result.LogLossGain[0]}");
        Assert.True(result.MacroF1Gain[0].Estimate > 0.3, $"macro-F1 gain over noise {result.MacroF1Gain[0]}");
        Assert.Equal(clips.Count, result.Report.Confusion.Sum(r => r.Sum()));
    }

    [Fact]
    public void Run_RefusesOneCandidateAndCandidatesOnOtherClips()
    {
        var clips = Clips();
        var signal = new NestedCandidate("signal", Featurized(clips, informative: true), s_options);
        Assert.Throws<ArgumentException>(() => NestedCrossValidation.Run([signal], 2));

        var fewer = new NestedCandidate("fewer", Featurized(clips.Skip(3).ToList(), informative: true), s_options);
        var ex = Assert.Throws<ArgumentException>(() => NestedCrossValidation.Run([signal, fewer], 2));
        Assert.Contains("other clips", ex.Message, StringComparison.Ordinal);

        var otherSeed = signal with { Name = "other", Options = s_options with { Seed = 6 } };
        Assert.Throws<ArgumentException>(() => NestedCrossValidation.Run([signal, otherSeed], 2));

        // 12 groups per class, 8 in each outer training part: 9 inner folds cannot be made, and that is said before any training.
        var noise = new NestedCandidate("noise", Featurized(clips, informative: false), s_options);
        var tooMany = Assert.Throws<DatasetException>(() => NestedCrossValidation.Run([signal, noise], 9));
        Assert.Contains("outer fold 1 cannot be split into 9 inner folds", tooMany.Message, StringComparison.Ordinal);
    }

    private static List<ClipInfo> Clips() =>
        [.. Enumerable.Range(0, PerClass * s_labels.Length).Select(i =>
        {
            string label = s_labels[i % s_labels.Length];
            return new ClipInfo($"/data/{label}/{i}.wav", label, $"g{i}", $"{label}/{i}.wav");
        })];

    /// <summary>One 1 × 8 × 8 image per clip: its class's quadrant bright (informative) or random (not).</summary>
    private static FeaturizedDataset Featurized(List<ClipInfo> clips, bool informative)
    {
        var dataset = ClipDataset.FromClips(clips);
        var random = new Random(informative ? 1 : 2);
        var variants = new float[dataset.Count][][];
        for (int i = 0; i < dataset.Count; i++)
        {
            int label = dataset.LabelIndices[i];
            var image = new float[64];
            for (int y = 0; y < 8; y++)
            {
                for (int x = 0; x < 8; x++)
                {
                    int quadrant = ((y / 4) * 2) + (x / 4);
                    image[(y * 8) + x] = (float)((informative && quadrant == label ? 1.0 : 0.0) + (0.5 * random.NextDouble()));
                }
            }

            variants[i] = [image];
        }

        return FeaturizedDataset.FromTensors(dataset, s_spec, variants);
    }
}

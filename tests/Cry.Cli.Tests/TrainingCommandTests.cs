using Cry.Audio;
using Cry.Features.Models;
using Cry.Training.Evaluation;

using Cry.TestSupport;
using Cry.Audio.Wav;

namespace Cry.Cli.Tests;

/// <summary>`cry train` and `cry evaluate` end to end on a tiny synthetic dataset (seconds, not minutes).</summary>
[Collection("torch")]
public sealed class TrainingCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public TrainingCommandTests()
    {
        ulong seed = 100;
        foreach (string label in new[] { "hungry", "tired", "burping" })
        {
            Directory.CreateDirectory(_temp[$"data/{label}"]);
            for (int i = 0; i < 12; i++)
            {
                var clip = SyntheticCry.Generate(8000, 1.5, seed++);
                File.WriteAllBytes(_temp[$"data/{label}/{RecordingNames.Uuid(seed)}-{i}.wav"], WavEncoder.Encode(clip.Samples, 8000));
            }
        }

        File.WriteAllText(_temp["spec.json"], TestSpecs.SmallJson);
    }

    [Fact]
    public void Train_WritesABundleWithAConsistentManifest()
    {
        File.WriteAllText(_temp["data/tired/broken.wav"], "not audio");
        var (code, output, error) = CliRunner.Run(
            "train", "--data", _temp["data"], "--spec", _temp["spec.json"], "--epochs", "2", "--folds", "2", "--threads", "1", "--out", _temp["model"]);
        Assert.True(code == 0, error);
        Assert.Contains("broken.wav", error, StringComparison.Ordinal);
        Assert.StartsWith("train: 2 × crynet-xs on 36 clips", output, StringComparison.Ordinal);
        Assert.Contains("fold 1/2 epoch 2/2: loss ", error, StringComparison.Ordinal);
        Assert.Contains("fold 2/2 epoch 2/2: loss ", error, StringComparison.Ordinal);
        Assert.Contains("train: no cry detector", output, StringComparison.Ordinal);
        var manifest = ModelManifest.Parse(File.ReadAllText(_temp["model/manifest.json"]));
        Assert.Equal(["burping", "hungry", "tired"], manifest.Labels);
        Assert.Equal([3, 16, 16], manifest.InputShape);
        Assert.Contains("train --data", manifest.CommandLine, StringComparison.Ordinal);
        Assert.Equal(ModelManifest.CurrentFormatVersion, manifest.FormatVersion);
        Assert.Equal(2, manifest.Members!.Count);
        Assert.All(manifest.Members, m => Assert.True(new FileInfo(Path.Combine(_temp["model"], m.File)).Length > 1000));
        Assert.Equal(36, manifest.Conformal!.Scores.Sum(byFold => byFold.Sum(f => f.Count)));
        Assert.Equal(manifest.Labels, manifest.Certification!.Labels.Select(l => l.Label));
        Assert.Null(manifest.Detector);
        Assert.Contains("\"macroF1\"", File.ReadAllText(_temp["model/metrics.json"]), StringComparison.Ordinal);

        // The bundle scores a labelled folder with ONNX Runtime, without training.
        var (scoreCode, scoreOutput, scoreError) = CliRunner.Run("evaluate", "--model", _temp["model"], "--data", _temp["data"], "--out", _temp["scored"]);
        Assert.True(scoreCode == 0, scoreError);
        Assert.Contains("on 36 clips", scoreOutput, StringComparison.Ordinal);
        Assert.Contains("broken.wav", File.ReadAllText(_temp["scored/report.md"]), StringComparison.Ordinal);

        // `cry predict` scores clips with the bundle `cry train` made.
        string clip = Directory.GetFiles(_temp["data/hungry"], "*.wav")[0];
        var (predictCode, predictOutput, predictError) = CliRunner.Run("predict", "--model", _temp["model"], "--json", clip);
        Assert.True(predictCode == 0, predictError);
        Assert.Contains("\"label\":", predictOutput, StringComparison.Ordinal);
        Assert.Contains("\"labelSet\":[", predictOutput, StringComparison.Ordinal);
        Assert.Contains("\"cryDetected\":null", predictOutput, StringComparison.Ordinal);
        Assert.Contains(manifest.ModelId, predictOutput, StringComparison.Ordinal);

        // A folder with a label the model does not know is bad input, named.
        Directory.CreateDirectory(_temp["data/belly_pain"]);
        File.Copy(Directory.GetFiles(_temp["data/tired"], "*-0.wav")[0], _temp["data/belly_pain/x.wav"]);
        var (unknownCode, _, unknownError) = CliRunner.Run("evaluate", "--model", _temp["model"], "--data", _temp["data"], "--out", _temp["scored2"]);
        Assert.Equal(3, unknownCode);
        Assert.Contains("belly_pain", unknownError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("grouped", 36)]
    [InlineData("leaky", 36 + (24 * 3))]
    public void Evaluate_WritesAReportOverPooledPredictions(string protocol, int predictions)
    {
        var (code, output, error) = CliRunner.Run(
            "evaluate", "--data", _temp["data"], "--spec", _temp["spec.json"], "--epochs", "1", "--folds", "2", "--protocol", protocol,
            "--threads", "1", "--out", _temp["report"]);
        Assert.True(code == 0, error);
        Assert.Contains($"{predictions} predictions", output, StringComparison.Ordinal);
        Assert.Contains("fold 1/2 epoch 1/1: loss ", error, StringComparison.Ordinal);
        Assert.Contains("fold 2/2 epoch 1/1: loss ", error, StringComparison.Ordinal);
        Assert.Contains("validation macro-F1 ", error, StringComparison.Ordinal);
        string report = File.ReadAllText(_temp["report/report.md"]);
        Assert.Contains("always-majority", report, StringComparison.Ordinal);
        Assert.Contains("on the macro-F1 of a", report, StringComparison.Ordinal); // the default rule
        Assert.Contains("## Calibration", report, StringComparison.Ordinal);
        Assert.True(File.Exists(_temp["report/confusion.png"]));
        Assert.Contains("\"balancedAccuracy\"", File.ReadAllText(_temp["report/metrics.json"]), StringComparison.Ordinal);
        Assert.Equal(protocol == "grouped", File.Exists(_temp["report/predictions.csv"]));
    }

    [Fact]
    public void Evaluate_Grouped_WritesEachClipsOutOfFoldPrediction()
    {
        var (code, _, error) = CliRunner.Run(
            "evaluate", "--data", _temp["data"], "--spec", _temp["spec.json"], "--epochs", "1", "--folds", "2", "--threads", "1", "--out", _temp["report"]);
        Assert.True(code == 0, error);
        string[] lines = File.ReadAllLines(_temp["report/predictions.csv"]);
        Assert.Equal("clip,group,label,predicted,p_burping,p_hungry,p_tired", lines[0]);
        Assert.Equal(37, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(36, rows.Select(r => r[0]).Distinct().Count());
        Assert.All(rows, r =>
        {
            Assert.StartsWith(r[2] + "/", r[0], StringComparison.Ordinal); // the clip's own folder is its label
            double[] p = [.. r.Skip(4).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
            Assert.Equal(1.0, p.Sum(), 4);
            Assert.Equal(new[] { "burping", "hungry", "tired" }[Array.IndexOf(p, p.Max())], r[3]);
        });
        var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_temp["report/metrics.json"])).RootElement;
        double accuracy = rows.Count(r => r[2] == r[3]) / 36.0;
        Assert.Equal(metrics.GetProperty("accuracy").GetDouble(), accuracy, 6);
    }

    [Fact]
    public void Evaluate_StopOnLoss_IsTheRuleTheReportStates()
    {
        var (code, _, error) = CliRunner.Run(
            "evaluate", "--data", _temp["data"], "--spec", _temp["spec.json"], "--epochs", "1", "--folds", "2", "--stop-on", "loss",
            "--threads", "1", "--out", _temp["report-loss"]);
        Assert.True(code == 0, error);
        Assert.Contains("on the loss of a grouped", File.ReadAllText(_temp["report-loss/report.md"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MoreFoldsThanGroups_ExitsWith3AndGivesTheCounts()
    {
        var (code, _, error) = CliRunner.Run("evaluate", "--data", _temp["data"], "--spec", _temp["spec.json"], "--folds", "13", "--out", _temp["r"]);
        Assert.Equal(3, code);
        Assert.Contains("burping 12", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--model", "resnet")]
    [InlineData("--device", "cuda")]
    [InlineData("--epochs", "0")]
    [InlineData("--folds", "1")]
    [InlineData("--stop-on", "accuracy")]
    public void Evaluate_BadOptions_AreUsageErrors(string option, string value)
    {
        var (code, _, error) = CliRunner.Run("evaluate", "--data", _temp["data"], "--spec", _temp["spec.json"], option, value, "--out", _temp["r"]);
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("evaluate")]
    public void TrainOrEvaluate_ExperimentNetwork_IsAUsageErrorNamingTheBundleNetworks(string command)
    {
        var (code, _, error) = CliRunner.Run(command, "--data", _temp["data"], "--spec", _temp["spec.json"], "--model", "resnet18", "--out", _temp["r18"]);
        Assert.Equal(2, code);
        Assert.Contains("resnet18 is an experiment network", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_SpecWithoutImage_IsAUsageError()
    {
        File.WriteAllText(_temp["noimage.json"], """
            { "sampleRate": 8000, "nFft": 256, "hopLength": 64, "center": true, "nMels": 32, "fMin": 0, "fMax": 4000,
              "htk": false, "melNorm": "slaney", "power": 2.0, "topDb": 80, "dbRef": "one", "nMfcc": 20, "lifter": 0 }
            """);
        var (code, _, error) = CliRunner.Run("train", "--data", _temp["data"], "--spec", _temp["noimage.json"], "--out", _temp["m"]);
        Assert.Equal(2, code);
        Assert.Contains("image", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_NotCryFolder_IsKeptOutOfTheNeedClasses_AndTrainsTheCryDetector()
    {
        // Non-cries from three sources (each a group): noise at several levels, which the detector must learn apart.
        var random = new Random(5);
        foreach (string source in new[] { "tv", "fan", "street" })
        {
            Directory.CreateDirectory(_temp[$"data/not_cry/{source}"]);
            for (int i = 0; i < 4; i++)
            {
                float level = 0.05f + (0.2f * (float)random.NextDouble());
                var noise = Enumerable.Range(0, 8000 * 2).Select(_ => level * (float)((random.NextDouble() * 2) - 1)).ToArray();
                File.WriteAllBytes(_temp[$"data/not_cry/{source}/{i}.wav"], WavEncoder.Encode(noise, 8000));
            }
        }

        var (code, output, error) = CliRunner.Run(
            "train", "--data", _temp["data"], "--spec", _temp["spec.json"], "--epochs", "1", "--folds", "2", "--threads", "1", "--out", _temp["model"]);

        Assert.True(code == 0, error);
        var manifest = ModelManifest.Parse(File.ReadAllText(_temp["model/manifest.json"]));
        Assert.Equal(["burping", "hungry", "tired"], manifest.Labels);
        Assert.Contains("train: cry detector: 36 cries, 12 non-cries; out of fold recall", output, StringComparison.Ordinal);
        Assert.NotNull(manifest.Detector);
        Assert.True(manifest.Detector.OutOfFold.Auc > 0.9, $"AUC {manifest.Detector.OutOfFold.Auc}: synthetic cries against noise should be easy");

        // The threshold is chosen for 97 % out-of-fold cry recall, so by construction about one cry in 36 falls under it:
        // the bundle must pass nearly all of the hungry cries, not any one chosen clip.
        string[] cries = Directory.GetFiles(_temp["data/hungry"], "*.wav");
        var (predictCode, predictOutput, predictError) = CliRunner.Run(
            ["predict", "--model", _temp["model"], "--json", _temp["data/not_cry/tv/0.wav"], .. cries]);
        Assert.True(predictCode == 0, predictError);
        var lines = predictOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + cries.Length, lines.Length);
        Assert.Contains("\"cryDetected\":false", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"label\":null", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"labelSet\":[]", lines[0], StringComparison.Ordinal);
        int detected = lines.Skip(1).Count(l => l.Contains("\"cryDetected\":true", StringComparison.Ordinal));
        Assert.True(detected >= cries.Length - 2, $"{detected} of {cries.Length} cries detected:\n{predictOutput}");

        // The training report measures the detector per source out of fold; scoring the bundle answers every recording as predict does.
        var trained = MetricsReport.FromJson(File.ReadAllText(_temp["model/metrics.json"])).Trust;
        Assert.NotNull(trained?.Detector);
        Assert.Equal(["data/not_cry/fan", "data/not_cry/street", "data/not_cry/tv"], trained.Detector.PerSource.Where(s => !s.IsCry).Select(s => s.Source));
        Assert.Equal(12, trained.Detector.PerSource.Where(s => !s.IsCry).Sum(s => s.Count));
        var (scoreCode, scoreOutput, scoreError) = CliRunner.Run("evaluate", "--model", _temp["model"], "--data", _temp["data"], "--out", _temp["scored"]);
        Assert.True(scoreCode == 0, scoreError);
        Assert.Contains("evaluate: cry detection: recall ", scoreOutput, StringComparison.Ordinal);
        Assert.Contains("non-cries of data/not_cry/tv: ", scoreOutput, StringComparison.Ordinal);
        var scored = MetricsReport.FromJson(File.ReadAllText(_temp["scored/metrics.json"])).Trust!;
        Assert.Equal(36 + 12, scored.Recordings);
        Assert.Equal(36, scored.Sets!.Cries);
        string report = File.ReadAllText(_temp["scored/report.md"]);
        Assert.Contains("### Cry detection", report, StringComparison.Ordinal);
        Assert.Contains("### Prediction sets", report, StringComparison.Ordinal);
        Assert.True(File.Exists(_temp["scored/detector.png"]));
        Assert.True(File.Exists(_temp["scored/sets.png"]));
        Assert.True(File.Exists(_temp["scored/calibration.png"]));
    }

    [Fact]
    public void Demo_TrainsTheDetectorOnTheRawRecordingsBesideTheCorpus_AndReportsItOutOfFold()
    {
        // `cry download` puts the raw phone recordings in <corpus>-raw; here noise stands for their non-cries.
        var random = new Random(9);
        for (int i = 0; i < 9; i++)
        {
            Directory.CreateDirectory(_temp[$"data-raw/not_cry/{i % 3}"]);
            var noise = Enumerable.Range(0, 8000 * 2).Select(_ => 0.1f * (float)((random.NextDouble() * 2) - 1)).ToArray();
            File.WriteAllBytes(_temp[$"data-raw/not_cry/{i % 3}/{i}.wav"], WavEncoder.Encode(noise, 8000));
        }

        var (code, output, error) = CliRunner.Run("demo", "--corpus", _temp["data"], "--epochs", "1", "--folds", "2", "--out", _temp["demo"]);

        Assert.True(code == 0, error);
        Assert.Contains("the cry detector also trains on the raw phone recordings in", error, StringComparison.Ordinal);
        Assert.Contains("out of fold: cry detection: recall ", output, StringComparison.Ordinal);
        Assert.Contains("out of fold: sets at 0.90", output, StringComparison.Ordinal);
        Assert.NotNull(MetricsReport.FromJson(File.ReadAllText(_temp["demo/report/metrics.json"])).Trust?.Detector);
    }

    [Fact]
    public void Train_MisspelledNotCryFolder_IsADataErrorThatGivesTheSpelling()
    {
        Directory.CreateDirectory(_temp["data/Not-Cry"]);
        File.WriteAllBytes(_temp["data/Not-Cry/tv.wav"], WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, 1).Samples, 8000));

        var (code, _, error) = CliRunner.Run("train", "--data", _temp["data"], "--spec", _temp["spec.json"], "--epochs", "1", "--out", _temp["model"]);

        Assert.Equal(3, code);
        Assert.Contains("rename it to 'not_cry'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp["model"]));
    }

    public void Dispose() => _temp.Dispose();
}

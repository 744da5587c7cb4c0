using System.Text.Json;
using Cry.Audio;
using Cry.TestSupport;
using Cry.Audio.Wav;
using Cry.Training.Torch.Models;

namespace Cry.Cli.Tests;

/// <summary>`cry experiment` on a tiny synthetic dataset: a grid of two cells, its table, resuming, and refusals.</summary>
[Collection("torch")]
public sealed class ExperimentCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public ExperimentCommandTests()
    {
        WriteCries("data", 8, 300);
        File.WriteAllText(_temp["spec.json"], TestSpecs.SmallJson);
    }

    /// <summary>Writes <paramref name="perLabel"/> synthetic 1.5 s cries of three needs, each its own app instance, under <paramref name="folder"/>.</summary>
    private void WriteCries(string folder, int perLabel, ulong seed)
    {
        foreach (string label in new[] { "hungry", "tired", "burping" })
        {
            Directory.CreateDirectory(_temp[$"{folder}/{label}"]);
            for (int i = 0; i < perLabel; i++)
            {
                File.WriteAllBytes(_temp[$"{folder}/{label}/{RecordingNames.Uuid(seed)}-{i}.wav"], WavEncoder.Encode(SyntheticCry.Generate(8000, 1.5, seed++).Samples, 8000));
            }
        }
    }

    private string Grid(string name, object grid)
    {
        string path = _temp[name];
        File.WriteAllText(path, JsonSerializer.Serialize(grid));
        return path;
    }

    [Fact]
    public void Grid_RunsEveryCell_WritesOneTableWithIntervals_AndResumesWhereItStopped()
    {
        string grid = Grid("grid.json", new
        {
            folds = 2,
            training = new { epochs = 1, patience = 0 },
            configurations = new[] { new { name = "small", spec = "spec.json", sizes = new[] { 8, 16 } } },
        });
        var (code, output, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["out"], "--threads", "1", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("experiment: 2 of 2 cells", output, StringComparison.Ordinal);
        Assert.Contains("cell 1/2 small-8-crynet-xs", error, StringComparison.Ordinal);
        Assert.Contains("fold 2/2 epoch 1/1", error, StringComparison.Ordinal);

        string table = File.ReadAllText(_temp["out/grid.md"]);
        Assert.Contains("| small-8-crynet-xs | gasf+gadf+mtf | 8 | crynet-xs |", table, StringComparison.Ordinal);
        Assert.Contains("| small-16-crynet-xs |", table, StringComparison.Ordinal);
        Assert.Contains("Baseline always-majority", table, StringComparison.Ordinal);
        string[] csv = File.ReadAllLines(_temp["out/grid.csv"]);
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("cell,channels,size,model,training_share,repeat,spec_id,clips,macro_f1,macro_f1_lower,macro_f1_upper", csv[0], StringComparison.Ordinal);
        var cell = JsonDocument.Parse(File.ReadAllText(_temp["out/cells/small-8-crynet-xs.json"])).RootElement;
        double lower = cell.GetProperty("macroF1").GetProperty("Lower").GetDouble(), upper = cell.GetProperty("macroF1").GetProperty("Upper").GetDouble();
        Assert.True(lower <= cell.GetProperty("macroF1").GetProperty("Estimate").GetDouble() && upper >= lower, $"[{lower}, {upper}]");
        Assert.Equal(24, cell.GetProperty("clips").GetInt32());
        Assert.True(new FileInfo(_temp["out/grid.png"]).Length > 1000);

        // Run again: both cells are kept, nothing is trained, the table is the same.
        (code, _, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["out"], "--threads", "1", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("cell 2/2 small-16-crynet-xs: done before, kept", error, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 1/1", error, StringComparison.Ordinal);
        Assert.Equal(table, File.ReadAllText(_temp["out/grid.md"]));
        (code, output, _) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["out"], "--list");
        Assert.Equal(0, code);
        Assert.Contains("small-16-crynet-xs\tdone", output, StringComparison.Ordinal);

        // Another training setting is another experiment: the cells run again.
        string changed = Grid("grid2.json", new
        {
            folds = 2,
            training = new { epochs = 2, patience = 0 },
            configurations = new[] { new { name = "small", spec = "spec.json", sizes = new[] { 8 } } },
        });
        (code, _, error) = CliRunner.Run("experiment", "--grid", changed, "--data", _temp["data"], "--out", _temp["out"], "--threads", "1", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("fold 1/2 epoch 2/2", error, StringComparison.Ordinal);

        // --only runs the cells it names; the others are listed as still to run.
        string wider = Grid("grid3.json", new
        {
            folds = 2,
            training = new { epochs = 1, patience = 0 },
            configurations = new[] { new { name = "other", spec = "spec.json", sizes = new[] { 8, 16 } } },
        });
        (code, output, _) = CliRunner.Run("experiment", "--grid", wider, "--data", _temp["data"], "--out", _temp["out3"], "--threads", "1", "--device", "cpu", "--only", "other-8");
        Assert.True(code == 0, output);
        Assert.Contains("1 of 2 cells", output, StringComparison.Ordinal);
        (_, output, _) = CliRunner.Run("experiment", "--grid", wider, "--data", _temp["data"], "--out", _temp["out3"], "--list");
        Assert.Contains("other-8-crynet-xs\tdone", output, StringComparison.Ordinal);
        Assert.Contains("other-16-crynet-xs\tto run", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_ChoosesAmongTheCellsInInnerFolds_AndReportsAgreementAndGains()
    {
        WriteCries("more", 14, 900);
        string grid = Grid("nested.json", new
        {
            folds = 2,
            training = new { epochs = 1, patience = 0 },
            configurations = new[] { new { name = "small", spec = "spec.json", sizes = new[] { 8, 16 } } },
        });
        var (code, output, error) = CliRunner.Run(
            "experiment", "--grid", grid, "--data", _temp["more"], "--out", _temp["nested"], "--nested", "--inner-folds", "2", "--threads", "1", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("experiment: nested 2×2-fold over 2 cells: log-loss ", output, StringComparison.Ordinal);
        Assert.Contains("nested: outer fold 2/2 chooses small-", error, StringComparison.Ordinal);
        string md = File.ReadAllText(_temp["nested/nested.md"]);
        Assert.Contains("This measures the **procedure** of choosing", md, StringComparison.Ordinal);
        Assert.Contains("| always small-8-crynet-xs |", md, StringComparison.Ordinal);
        Assert.Contains("| always small-16-crynet-xs |", md, StringComparison.Ordinal);
        var json = JsonDocument.Parse(File.ReadAllText(_temp["nested/nested.json"])).RootElement;
        Assert.Equal(2, json.GetProperty("Choices").GetArrayLength());
        Assert.InRange(json.GetProperty("Agreement").GetInt32(), 1, 2);

        string one = Grid("one.json", new { folds = 2, configurations = new[] { new { name = "small", spec = "spec.json" } } });
        var (oneCode, _, oneError) = CliRunner.Run("experiment", "--grid", one, "--data", _temp["data"], "--out", _temp["nested1"], "--nested");
        Assert.Equal(2, oneCode);
        Assert.Contains("--nested chooses among 2 to 6 cells; the grid (with --only) has 1.", oneError, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainingShares_MakeALearningCurve_OverSubsamplesOfTheTrainingInstances()
    {
        string grid = Grid("curve.json", new
        {
            folds = 2,
            training = new { epochs = 1, patience = 0 },
            configurations = new[] { new { name = "small", spec = "spec.json", trainingShares = new[] { 0.5, 1.0 }, repeats = 2 } },
        });
        var (code, output, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["curve"], "--threads", "1", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("experiment: 3 of 3 cells", output, StringComparison.Ordinal);
        Assert.Contains("cell 1/3 small-16-crynet-xs-share50-r1", error, StringComparison.Ordinal);
        Assert.Matches(@"training on \d+ of \d+ app instances \(share 0\.5\)", error);
        string table = File.ReadAllText(_temp["curve/grid.md"]);
        Assert.Contains("| small-16-crynet-xs | 0.5 | 2 |", table, StringComparison.Ordinal);
        Assert.Contains("| small-16-crynet-xs | 1 | 1 |", table, StringComparison.Ordinal);
        Assert.Matches(@"\| small-16-crynet-xs \| macro-F1 \| 3 \| -?\d\.\d{3} \[-?\d\.\d{3}, -?\d\.\d{3}\] \|", table);
    }

    [Fact]
    public void ExcludeAudit_LeavesOutWhatTheAuditFlags_AndIsAnotherExperiment()
    {
        // A copy of one clip under another app instance: the audit says so, and the grid leaves the copy out.
        string original = Directory.GetFiles(_temp["data/hungry"])[0];
        File.Copy(original, _temp["data/tired/99999999-9999-9999-9999-999999999999-copy.wav"]);
        var (code, _, error) = CliRunner.Run("audit", _temp["data"], "--out", _temp["audit"]);
        Assert.True(code == 0, error);
        string grid = Grid("grid.json", new
        {
            folds = 2,
            training = new { epochs = 1, patience = 0 },
            configurations = new[] { new { name = "small", spec = "spec.json" } },
        });
        (code, _, error) = CliRunner.Run(
            "experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["out"], "--threads", "1", "--device", "cpu", "--exclude-audit", _temp["audit/audit.json"]);
        Assert.True(code == 0, error);
        Assert.Contains("the audit leaves out 1 clips", error, StringComparison.Ordinal);
        Assert.Contains("merges 2 app instances into 1", error, StringComparison.Ordinal);
        Assert.Equal(24, JsonDocument.Parse(File.ReadAllText(_temp["out/cells/small-16-crynet-xs.json"])).RootElement.GetProperty("clips").GetInt32());

        File.WriteAllText(_temp["not-an-audit.json"], "{ \"clips\": 3 }");
        (code, _, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["out"], "--exclude-audit", _temp["not-an-audit.json"]);
        Assert.Equal(3, code);
        Assert.Contains("not an audit of `cry audit`", error, StringComparison.Ordinal);
    }

    [Fact]
    public void FunctionalsCell_TrainsAVectorModelOnTheSameFolds_InTheSameTable()
    {
        string grid = Grid("functionals.json", new
        {
            folds = 2,
            training = new { epochs = 1, patience = 0 },
            configurations = new object[]
            {
                new { name = "small", spec = "spec.json", sizes = new[] { 8 } },
                new { name = "voice", spec = "spec.json", functionals = true },
            },
        });
        var (code, output, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["fout"], "--threads", "1", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("experiment: 2 of 2 cells", output, StringComparison.Ordinal);
        Assert.Contains("cell 2/2 voice-logistic: features functionals of", error, StringComparison.Ordinal);
        Assert.Contains("voice-logistic: fold 2/2: lambda", error, StringComparison.Ordinal);
        string table = File.ReadAllText(_temp["fout/grid.md"]);
        Assert.Contains("| voice-logistic | functionals (80) | — | logistic |", table, StringComparison.Ordinal);
        Assert.Contains("| small-8-crynet-xs |", table, StringComparison.Ordinal);
        var cell = JsonDocument.Parse(File.ReadAllText(_temp["fout/cells/voice-logistic.json"])).RootElement;
        Assert.Equal(24, cell.GetProperty("clips").GetInt32());
        Assert.InRange(cell.GetProperty("macroF1").GetProperty("Estimate").GetDouble(), 0, 1);

        (code, _, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["fout"], "--threads", "1", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("cell 2/2 voice-logistic: done before, kept", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["nout"], "--nested", "--inner-folds", "2", "--device", "cpu");
        Assert.Equal(2, code);
        Assert.Contains("voice-logistic is a functionals cell", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsembleCell_AveragesItsMembersOutOfFoldProbabilities_WithoutTraining()
    {
        string grid = Grid("ensemble.json", new
        {
            folds = 2,
            training = new { epochs = 1, patience = 0 },
            configurations = new object[]
            {
                new { name = "both", ensemble = new[] { "small-8-crynet-xs", "voice-logistic" } },
                new { name = "small", spec = "spec.json", sizes = new[] { 8 } },
                new { name = "voice", spec = "spec.json", functionals = true },
            },
        });
        var (code, output, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["ens"], "--threads", "1", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("experiment: 3 of 3 cells", output, StringComparison.Ordinal);
        Assert.Contains("both-ensemble: mean of 2 cells' out-of-fold probabilities", error, StringComparison.Ordinal);
        Assert.Contains("| both-ensemble | mean of small-8-crynet-xs + voice-logistic | — | ensemble |", File.ReadAllText(_temp["ens/grid.md"]), StringComparison.Ordinal);

        // The ensemble's probabilities are the mean of its members' for every clip, matched by clip id.
        var network = Predictions("ens/cells/small-8-crynet-xs.json");
        var vector = Predictions("ens/cells/voice-logistic.json");
        var pooled = Predictions("ens/cells/both-ensemble.json");
        Assert.Equal(24, pooled.Count);
        Assert.Equal(network.Keys.Order(), vector.Keys.Order());
        foreach (var (clip, p) in pooled)
        {
            Assert.Equal(3, p.Length);
            for (int k = 0; k < p.Length; k++)
            {
                Assert.Equal((network[clip][k] + vector[clip][k]) / 2, p[k], 1e-5);
            }
        }

        (code, output, _) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["ens"], "--list");
        Assert.Equal(0, code);
        Assert.Contains("both-ensemble\tcomputed from its members\tensemble of small-8-crynet-xs, voice-logistic", output, StringComparison.Ordinal);

        // Without a member the ensemble is not computed, and says which member is missing.
        (code, output, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["ens2"], "--threads", "1", "--only", "voice");
        Assert.True(code == 0, error);
        Assert.Contains("both-ensemble: not computed: its member small-8-crynet-xs has not run", error, StringComparison.Ordinal);
        Assert.Contains("1 of 3 cells", output, StringComparison.Ordinal);
    }

    /// <summary>A stored cell's out-of-fold probabilities by clip id.</summary>
    private Dictionary<string, double[]> Predictions(string cellFile)
    {
        var predictions = JsonDocument.Parse(File.ReadAllText(_temp[cellFile])).RootElement.GetProperty("predictions");
        string[] clips = [.. predictions.GetProperty("Clips").EnumerateArray().Select(c => c.GetString()!)];
        double[] p = [.. predictions.GetProperty("Probabilities").EnumerateArray().Select(v => v.GetDouble())];
        int classes = p.Length / clips.Length;
        return clips.Select((clip, i) => (clip, i)).ToDictionary(c => c.clip, c => p.AsSpan(c.i * classes, classes).ToArray());
    }

    [Fact]
    public void EmbeddingCell_EmbedsEveryImageWithThePretrainedNetwork_AndSaysWhereToGetIt()
    {
        string grid = Grid("embedding.json", new
        {
            folds = 2,
            configurations = new object[] { new { name = "emb", spec = "spec.json", sizes = new[] { 8 }, embedding = "resnet18" } },
        });
        File.WriteAllBytes(_temp["tiny.onnx"], TinyImageNetwork.OnnxBytes(20, 20));
        var (code, output, error) = CliRunner.Run(
            "experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["eout"], "--threads", "1", "--resnet18", _temp["tiny.onnx"]);
        Assert.True(code == 0, error);
        Assert.Contains("experiment: 1 of 1 cells", output, StringComparison.Ordinal);
        Assert.Contains("emb-8-resnet18-logistic: 24 images embedded (3 values each)", error, StringComparison.Ordinal);
        Assert.Contains("| emb-8-resnet18-logistic | resnet18 of gasf+gadf+mtf (3) | 8 | logistic |", File.ReadAllText(_temp["eout/grid.md"]), StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run(
            "experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["eout2"], "--threads", "1", "--resnet18", _temp["nowhere.onnx"]);
        Assert.NotEqual(0, code);
        Assert.Contains("run infra/get-resnet18.sh", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);

        // The fine-tuned network needs the same file, and says so before it trains anything.
        string tuned = Grid("tuned.json", new
        {
            folds = 2,
            model = "resnet18",
            training = new { epochs = 1, patience = 0 },
            configurations = new[] { new { name = "tuned", spec = "spec.json", sizes = new[] { 8 } } },
        });
        (code, _, error) = CliRunner.Run(
            "experiment", "--grid", tuned, "--data", _temp["data"], "--out", _temp["tout"], "--threads", "1", "--resnet18", _temp["nowhere.onnx"]);
        Assert.NotEqual(0, code);
        Assert.Contains("tuned-8-resnet18: the ResNet18 network is not at", error, StringComparison.Ordinal);
        Assert.DoesNotContain("epoch 1/1", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);

        // A file that is not the network is bad input that names the cell, not an internal error.
        File.WriteAllText(_temp["garbage.onnx"], "not a network");
        (code, _, error) = CliRunner.Run(
            "experiment", "--grid", tuned, "--data", _temp["data"], "--out", _temp["tout2"], "--threads", "1", "--device", "cpu", "--resnet18", _temp["garbage.onnx"]);
        Assert.Equal(3, code);
        Assert.Contains("tuned-8-resnet18: ", error, StringComparison.Ordinal);
        Assert.Contains("is not an ONNX model", error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"configurations\": [ { \"spec\": \"spec.json\", \"preset\": \"default\" } ] }", "exactly one of \"spec\"")]
    [InlineData("{ \"configurations\": [ { \"spec\": \"spec.json\", \"models\": [\"resnet-9000\"] } ] }", "unknown network 'resnet-9000'")]
    [InlineData("{ \"configurations\": [ { \"spec\": \"missing.json\" } ] }", "missing.json")]
    [InlineData("{ \"configurations\": [] }", "no configurations")]
    [InlineData("{ \"folds\": 1, \"configurations\": [ { \"preset\": \"default\" } ] }", "folds must be at least 2")]
    [InlineData("{ \"configurations\": [ { \"preset\": \"default\", \"sizes\": [0] } ] }", "size 0")]
    [InlineData("{ \"configuration\": [] }", "not a valid grid")]
    [InlineData("{ \"configurations\": [ { \"preset\": \"default\", \"functionals\": true, \"sizes\": [32] } ] }", "no image sizes")]
    [InlineData("{ \"configurations\": [ { \"preset\": \"default\", \"embedding\": \"vgg\" } ] }", "unknown embedding 'vgg'")]
    [InlineData("{ \"configurations\": [ { \"preset\": \"default\", \"embedding\": \"resnet18\", \"functionals\": true } ] }", "not both")]
    [InlineData("{ \"configurations\": [ { \"preset\": \"default\", \"functionals\": true, \"models\": [\"crynet-s\"] } ] }", "one vector model: logistic")]
    [InlineData("{ \"configurations\": [ { \"preset\": \"default\", \"training\": { \"stopOn\": \"accuracy\" } } ] }", "stopOn must be")]
    [InlineData("{ \"configurations\": [ { \"preset\": \"default\", \"training\": { \"maskShare\": 1 } } ] }", "maskShare must lie in [0, 1)")]
    [InlineData("{ \"configurations\": [ { \"name\": \"e\", \"ensemble\": [\"a-8-crynet-xs\", \"b\"] }, { \"name\": \"a\", \"spec\": \"spec.json\", \"sizes\": [8] } ] }", "member 'b' is not a cell of this grid")]
    [InlineData("{ \"configurations\": [ { \"name\": \"e\", \"ensemble\": [\"a-8-crynet-xs\"] }, { \"name\": \"a\", \"spec\": \"spec.json\", \"sizes\": [8] } ] }", "at least two different cells")]
    [InlineData("{ \"configurations\": [ { \"name\": \"e\", \"preset\": \"default\", \"ensemble\": [\"x\", \"y\"] } ] }", "an ensemble names only")]
    [InlineData("{ \"training\": { \"mixup\": -0.2 }, \"configurations\": [ { \"preset\": \"default\" } ] }", "mixup (the α of Beta(α, α)) must be")]
    public void BadGrid_IsExit3_SayingWhatIsWrong(string json, string message)
    {
        string grid = _temp["bad.json"];
        File.WriteAllText(grid, json);
        var (code, _, error) = CliRunner.Run("experiment", "--grid", grid, "--data", _temp["data"], "--out", _temp["bad-out"], "--device", "cpu");
        Assert.Equal(3, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>`cry audit` end to end: its files, the cry check, and its refusals.</summary>
[Collection("torch")]
public sealed class AuditCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void Audit_WritesTheReport_AndRefusesWhatIsNotAFolderOrAThreshold()
    {
        byte[] wav = WavEncoder.Encode(SyntheticCry.Generate(8000, 3, 1).Samples, 8000);
        Directory.CreateDirectory(_temp["data/hungry"]);
        Directory.CreateDirectory(_temp["data/tired"]);
        File.WriteAllBytes(_temp["data/hungry/11111111-1111-1111-1111-111111111111-a.wav"], wav);
        File.WriteAllBytes(_temp["data/tired/22222222-2222-2222-2222-222222222222-a.wav"], wav);
        var (code, output, error) = CliRunner.Run("audit", _temp["data"], "--out", _temp["audit"]);
        Assert.True(code == 0, error);
        Assert.Contains("audit: 1 exact and 0 near-duplicate pairs (1 across app instances, 1 sets of instances to merge)", output, StringComparison.Ordinal);
        Assert.Contains("| hungry/11111111-1111-1111-1111-111111111111-a.wav | tired/22222222-2222-2222-2222-222222222222-a.wav | exact |", File.ReadAllText(_temp["audit/audit.md"]), StringComparison.Ordinal);
        Assert.Contains("\"groupsToMerge\"", File.ReadAllText(_temp["audit/audit.json"]), StringComparison.Ordinal);

        Assert.Equal(3, CliRunner.Run("audit", _temp["none"]).Code);
        Assert.Equal(2, CliRunner.Run("audit", _temp["data"], "--near-duplicate", "1.5").Code);
    }

    [Fact]
    public void Audit_WithNonCries_FlagsOnlyLabelledClipsThatAreNoise_AndExclusionLeavesThemOut()
    {
        File.WriteAllText(_temp["spec.json"], TestSpecs.SmallJson);
        ulong seed = 40;
        int n = 0;
        string Name() => $"{++n:x8}-1111-2222-3333-444444444444-{n}.wav"; // fixed app instances: the same folds every run
        foreach (string label in new[] { "hungry", "tired" })
        {
            Directory.CreateDirectory(_temp[$"data/{label}"]);
            for (int i = 0; i < 10; i++)
            {
                File.WriteAllBytes(_temp[$"data/{label}/{Name()}"], WavEncoder.Encode(SyntheticCry.Generate(8000, 2, seed++).Samples, 8000));
            }
        }

        var random = new Random(7);
        float[] Noise() => [.. Enumerable.Range(0, 8000 * 2).Select(_ => (0.05f + (0.1f * (float)random.NextDouble())) * (float)((random.NextDouble() * 2) - 1))];
        foreach (string source in new[] { "tv", "fan", "street", "rain", "car" })
        {
            Directory.CreateDirectory(_temp[$"raw/not_cry/{source}"]);
            for (int i = 0; i < 3; i++)
            {
                File.WriteAllBytes(_temp[$"raw/not_cry/{source}/{i}.wav"], WavEncoder.Encode(Noise(), 8000));
            }
        }

        // Four uploads of noise labelled as needs: the audit should find some of them and no synthetic cry.
        string[] mislabelled = [.. Enumerable.Range(0, 4).Select(i => $"{(i % 2 == 0 ? "hungry" : "tired")}/{Name()}")];
        foreach (string clip in mislabelled)
        {
            File.WriteAllBytes(_temp[$"data/{clip}"], WavEncoder.Encode(Noise(), 8000));
        }

        var (code, _, error) = CliRunner.Run("audit", _temp["data"], "--detector-data", _temp["raw"], "--threads", "1", "--out", _temp["audit"]);
        Assert.True(code == 0, error);
        Assert.Contains("cry check: the cry detector out of fold on 39 recordings", error, StringComparison.Ordinal);
        string md = File.ReadAllText(_temp["audit/audit.md"]);
        Assert.Contains("## Is every clip a cry?", md, StringComparison.Ordinal);
        var check = JsonDocument.Parse(File.ReadAllText(_temp["audit/audit.json"])).RootElement.GetProperty("cryCheck");
        Assert.Equal(24, check.GetProperty("cries").GetInt32());
        Assert.Equal(15, check.GetProperty("nonCries").GetInt32());
        var flagged = check.GetProperty("flagged").EnumerateArray().Select(f => f.GetProperty("clip").GetString()!).ToList();
        Assert.NotEmpty(flagged);
        Assert.All(flagged, clip => Assert.Contains(clip, mislabelled));
        Assert.Contains($"| {flagged[0]} | detector-non-cry |", md, StringComparison.Ordinal);

        var (trainCode, _, trainError) = CliRunner.Run(
            "evaluate", "--data", _temp["data"], "--spec", _temp["spec.json"], "--epochs", "1", "--folds", "2", "--threads", "1",
            "--exclude-audit", _temp["audit/audit.json"], "--out", _temp["report"]);
        Assert.True(trainCode == 0, trainError);
        string predictions = File.ReadAllText(_temp["report/predictions.csv"]);
        Assert.All(flagged, clip => Assert.DoesNotContain(clip, predictions, StringComparison.Ordinal));

        Assert.Equal(3, CliRunner.Run("audit", _temp["data"], "--detector-data", _temp["missing"]).Code);
    }

    public void Dispose() => _temp.Dispose();
}

/// <summary>`cry power`: the table, and a refused target.</summary>
public sealed class PowerCommandTests
{
    [Fact]
    public void Power_PrintsRecordingsPerNeed_AndRefusesATargetAtChance()
    {
        var (code, output, error) = CliRunner.Run("power", "--per-need", "8");
        Assert.True(code == 0, error);
        Assert.Contains("| 0.30 | 22 | 110 |", output, StringComparison.Ordinal);
        Assert.Contains("| 8 | 0.304 |", output, StringComparison.Ordinal);
        (code, output, error) = CliRunner.Run("power", "--targets", "0.2");
        Assert.Equal(2, code);
        Assert.Contains("between chance", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }
}

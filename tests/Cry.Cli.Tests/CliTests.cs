using Cry.Audio;
using Cry.Features.Npy;
using Cry.Audio.Wav;

namespace Cry.Cli.Tests;

public class CliTests
{
    [Fact]
    public void DefaultNetwork_IsTheSameForTheCliAndThePipelinesTrainingJob()
    {
        var job = new Cry.Pipeline.Retraining.TrainingJob { RunId = "r", SnapshotId = "s" };
        Assert.Equal(Cry.Training.Torch.Models.ModelFactory.DefaultName, job.Model);
        Assert.Contains(job.Model, Cry.Training.Torch.Models.ModelFactory.Names);
    }

    [Fact]
    public void Help_ListsEveryCommand()
    {
        var (code, output, _) = CliRunner.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("features", output, StringComparison.Ordinal);
        Assert.Contains("tsi", output, StringComparison.Ordinal);
        Assert.Contains("synth", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("features", "--spec", "--preset", "--stage", "--png", "--threads")]
    [InlineData("tsi", "--method", "--size", "--sample-range", "--overlapping", "--bins", "--strategy", "--dimension", "--time-delay", "--threshold", "--percentage")]
    public void CommandHelp_ExplainsEveryOption(string command, params string[] options)
    {
        var (code, output, _) = CliRunner.Run(command, "--help");
        Assert.Equal(0, code);
        foreach (string option in options)
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("features", "--preset", "tsi-rgb64", "--bogus", "a.wav", "b.npy")]
    [InlineData("features", "--preset", "tsi-rgb64", "a.wav")]
    [InlineData("features", "--preset", "nope", "a.wav", "b.npy")]
    [InlineData("features", "a.wav", "b.npy")]
    [InlineData("features", "--preset", "tsi-rgb64", "--spec", "s.json", "a.wav", "b.npy")]
    [InlineData("features", "--preset", "tsi-rgb64", "--stage", "spiral", "a.wav", "b.npy")]
    [InlineData("features", "--preset", "tsi-rgb64", "--threads", "0", "a.wav", "b.npy")]
    [InlineData("tsi", "--method", "spiral", "a.npy", "b.npy")]
    [InlineData("tsi", "a.npy", "b.npy")]
    [InlineData("frobnicate")]
    [InlineData("download", "--source", "ftp://example.invalid/corpus.zip")]
    public void UsageErrors_ExitWith2AndNoStackTrace(params string[] args)
    {
        var (code, _, error) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_OneClip_WritesTheImageTensorAndPreview()
    {
        using var temp = new TempFolder();
        string wav = WriteClip(temp["clip.wav"], seed: 3);
        var (code, output, error) = CliRunner.Run("features", "--preset", "tsi-rgb64", "--png", temp["clip.png"], wav, temp["out/clip.npy"]);
        Assert.True(code == 0, error);
        Assert.StartsWith("features: 1 clips", output, StringComparison.Ordinal);
        var tensor = NpyFile.Read(temp["out/clip.npy"]);
        Assert.Equal([3, 64, 64], tensor.Shape);
        Assert.Equal(NpyDataType.Float32, tensor.DataType);
        byte[] png = File.ReadAllBytes(temp["clip.png"]);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
    }

    [Theory]
    [InlineData("mel", 40)]
    [InlineData("db", 40)]
    [InlineData("mfcc", 30)]
    public void Features_Stages_HaveLibrosaShapes(string stage, int rows)
    {
        using var temp = new TempFolder();
        string wav = WriteClip(temp["clip.wav"], seed: 4);
        var (code, _, error) = CliRunner.Run("features", "--preset", "tsi-rgb64", "--stage", stage, wav, temp["f.npy"]);
        Assert.True(code == 0, error);
        Assert.Equal([rows, 407], NpyFile.Read(temp["f.npy"]).Shape);
    }

    [Fact]
    public void Features_SpecFile_IsUsedAndAMalformedOneIsAUsageError()
    {
        using var temp = new TempFolder();
        string wav = WriteClip(temp["clip.wav"], seed: 5);
        File.WriteAllText(temp["spec.json"], """
            { "sampleRate": 16000, "nFft": 400, "hopLength": 160, "center": false, "nMels": 40, "fMin": 20, "fMax": 7600,
              "htk": true, "melNorm": "none", "power": 2.0, "topDb": null, "dbRef": "one", "nMfcc": 13, "lifter": 22 }
            """);
        var (code, _, error) = CliRunner.Run("features", "--spec", temp["spec.json"], "--stage", "mfcc", wav, temp["m.npy"]);
        Assert.True(code == 0, error);
        Assert.Equal([13, 1 + ((112000 - 400) / 160)], NpyFile.Read(temp["m.npy"]).Shape);

        File.WriteAllText(temp["bad.json"], """{ "sampleRate": 16000 }""");
        var (badCode, _, badError) = CliRunner.Run("features", "--spec", temp["bad.json"], wav, temp["x.npy"]);
        Assert.Equal(2, badCode);
        Assert.Contains("bad.json", badError, StringComparison.Ordinal);
        Assert.Contains("nFft", badError, StringComparison.Ordinal);

        var (stageCode, _, stageError) = CliRunner.Run("features", "--spec", temp["spec.json"], "--stage", "image", wav, temp["x.npy"]);
        Assert.Equal(2, stageCode);
        Assert.Contains("series", stageError, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_SeriesWithPng_IsAUsageError()
    {
        var (code, _, error) = CliRunner.Run("features", "--preset", "tsi-rgb64", "--stage", "series", "--png", "x.png", "a.wav", "b.npy");
        Assert.Equal(2, code);
        Assert.Contains("2-D", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OggS\0\u0002\0\0\0\0\0\0\0\0", "Ogg")]
    [InlineData("hello, this is not audio at all\n", "text")]
    public void Features_BadAudio_ExitsWith3AndNamesTheFile(string content, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["bad.wav"], content);
        var (code, _, error) = CliRunner.Run("features", "--preset", "tsi-rgb64", temp["bad.wav"], temp["b.npy"]);
        Assert.Equal(3, code);
        Assert.Contains("bad.wav", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp["b.npy"]));
    }

    [Fact]
    public void Features_MissingInputAndTooShortClip_ExitWith3()
    {
        using var temp = new TempFolder();
        var (code, _, error) = CliRunner.Run("features", "--preset", "tsi-rgb64", temp["none.wav"], temp["b.npy"]);
        Assert.Equal(3, code);
        Assert.Contains("not found", error, StringComparison.Ordinal);

        File.WriteAllBytes(temp["short.wav"], WavEncoder.Encode(new float[4000], 8000));
        var (shortCode, _, shortError) = CliRunner.Run("features", "--preset", "tsi-rgb64", temp["short.wav"], temp["b.npy"]);
        Assert.Equal(3, shortCode);
        Assert.Contains("short.wav", shortError, StringComparison.Ordinal);
        Assert.Contains("at least 1 s", shortError, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_Folder_ProcessesGoodFilesListsBadOnesAndExitsWith3()
    {
        using var temp = new TempFolder();
        WriteClip(temp["in/hungry/a.wav"], seed: 1);
        WriteClip(temp["in/tired/b.wav"], seed: 2);
        Directory.CreateDirectory(temp["in/tired"]);
        File.WriteAllText(temp["in/tired/broken.wav"], "RIFF");
        var (code, output, error) = CliRunner.Run("features", "--preset", "tsi-rgb64", "--threads", "2", "--png", temp["png"], temp["in"], temp["out"]);
        Assert.Equal(3, code);
        Assert.Contains("broken.wav", error, StringComparison.Ordinal);
        Assert.Contains("features: 2 clips", output, StringComparison.Ordinal);
        Assert.Contains("1 skipped", output, StringComparison.Ordinal);
        Assert.Equal([3, 64, 64], NpyFile.Read(temp["out/hungry/a.npy"]).Shape);
        Assert.Equal([3, 64, 64], NpyFile.Read(temp["out/tired/b.npy"]).Shape);
        Assert.True(File.Exists(temp["png/tired/b.png"]));
        Assert.False(File.Exists(temp["out/tired/broken.npy"]));
    }

    [Fact]
    public void Features_FunctionalsStage_WritesOneVectorPerClip_AndATableWithNamedColumns()
    {
        using var temp = new TempFolder();
        WriteClip(temp["in/hungry/a.wav"], seed: 11);
        WriteClip(temp["in/tired/b.wav"], seed: 12);
        var (code, output, error) = CliRunner.Run("features", "--preset", "default", "--stage", "functionals", "--threads", "2", temp["in"], temp["out"]);
        Assert.True(code == 0, error);
        Assert.Contains("features: 2 clips", output, StringComparison.Ordinal);
        var vector = NpyFile.Read(temp["out/hungry/a.npy"]);
        Assert.Equal([110], vector.Shape);
        string[] table = File.ReadAllLines(temp["out/functionals.csv"]);
        Assert.Equal(3, table.Length);
        string[] header = table[0].Split(',');
        Assert.Equal(["path", "label", "mfcc0Mean"], header[..3]);
        Assert.Equal(112, header.Length);
        Assert.Contains("voicedShare", header);
        string[] row = table[1].Split(',');
        Assert.Equal(["hungry/a.wav", "hungry"], row[..2]);
        Assert.Equal(vector.ToSingleArray(), row[2..].Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));

        (code, _, error) = CliRunner.Run("features", "--preset", "default", "--stage", "functionals", "--png", temp["p.png"], temp["in/hungry/a.wav"], temp["a.npy"]);
        Assert.Equal(2, code);
        Assert.Contains("functionals is 1-D", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_FolderMixingFormats_ReadsEveryRecording_AndSameStemsKeepTheirExtension()
    {
        Assert.SkipUnless(Cry.TestSupport.FfmpegEncoder.IsAvailable, Cry.TestSupport.FfmpegEncoder.Missing);
        using var temp = new TempFolder();
        string wav = WriteClip(temp["in/hungry/a.wav"], seed: 5);
        File.WriteAllBytes(temp["in/hungry/a.3gp"], Cry.TestSupport.FfmpegEncoder.Encode(File.ReadAllBytes(wav), ".3gp", "-c:a", "aac", "-f", "3gp"));
        Directory.CreateDirectory(temp["in/tired"]);
        File.WriteAllBytes(temp["in/tired/b.caf"], Cry.TestSupport.FfmpegEncoder.Encode(File.ReadAllBytes(wav), ".caf", "-c:a", "adpcm_ima_qt", "-f", "caf"));
        var (code, output, error) = CliRunner.Run("features", "--preset", "tsi-rgb64", "--threads", "2", temp["in"], temp["out"]);
        Assert.True(code == 0, error);
        Assert.Contains("features: 3 clips", output, StringComparison.Ordinal);
        Assert.Equal([3, 64, 64], NpyFile.Read(temp["out/hungry/a.wav.npy"]).Shape);
        Assert.Equal([3, 64, 64], NpyFile.Read(temp["out/hungry/a.3gp.npy"]).Shape);
        Assert.Equal([3, 64, 64], NpyFile.Read(temp["out/tired/b.npy"]).Shape);
    }

    [Fact]
    public void Features_FolderOutputs_AreTheSameAsSingleFileRuns()
    {
        using var temp = new TempFolder();
        WriteClip(temp["in/hungry/a.wav"], seed: 8);
        Assert.Equal(0, CliRunner.Run("features", "--preset", "tsi-rgb64", temp["in"], temp["out"]).Code);
        Assert.Equal(0, CliRunner.Run("features", "--preset", "tsi-rgb64", temp["in/hungry/a.wav"], temp["single.npy"]).Code);
        Assert.Equal(File.ReadAllBytes(temp["single.npy"]), File.ReadAllBytes(temp["out/hungry/a.npy"]));
    }

    [Fact]
    public void Tsi_Gasf_WritesAFloat64Image()
    {
        using var temp = new TempFolder();
        double[] series = Enumerable.Range(0, 100).Select(i => Math.Sin(i / 5.0)).ToArray();
        NpyFile.Write(temp["s.npy"], series, [100]);
        var (code, _, error) = CliRunner.Run("tsi", "--method", "gasf", "--size", "16", "--sample-range=-1,1", temp["s.npy"], temp["g.npy"]);
        Assert.True(code == 0, error);
        var image = NpyFile.Read(temp["g.npy"]);
        Assert.Equal([16, 16], image.Shape);
        Assert.Equal(NpyDataType.Float64, image.DataType);
        var values = image.ToDoubleArray();
        Assert.Equal(values[1], values[16], 1e-12);
    }

    [Theory]
    [InlineData("paa", new[] { "--size", "10" }, new[] { 10 })]
    [InlineData("mtf", new[] { "--size", "20", "--bins", "4", "--strategy", "normal" }, new[] { 20, 20 })]
    [InlineData("rp", new[] { "--dimension", "3", "--time-delay", "2", "--threshold", "point", "--percentage", "20" }, new[] { 96, 96 })]
    [InlineData("rp", new[] { "--threshold", "0.5" }, new[] { 100, 100 })]
    [InlineData("gadf", new string[0], new[] { 100, 100 })]
    public void Tsi_Methods_HaveTheirShapes(string method, string[] options, int[] shape)
    {
        using var temp = new TempFolder();
        NpyFile.Write(temp["s.npy"], Enumerable.Range(0, 100).Select(i => Math.Cos(i / 7.0)).ToArray(), [100]);
        var (code, _, error) = CliRunner.Run(["tsi", "--method", method, .. options, temp["s.npy"], temp["o.npy"]]);
        Assert.True(code == 0, error);
        Assert.Equal(shape, NpyFile.Read(temp["o.npy"]).Shape);
    }

    [Theory]
    [InlineData("--size", "101")]
    [InlineData("--sample-range=1,-1")]
    [InlineData("--sample-range=a,b")]
    [InlineData("--threshold", "median")]
    public void Tsi_BadParameters_AreUsageErrors(params string[] options)
    {
        using var temp = new TempFolder();
        NpyFile.Write(temp["s.npy"], Enumerable.Range(0, 100).Select(i => (double)i).ToArray(), [100]);
        string method = options[0] == "--threshold" ? "rp" : "gasf";
        var (code, _, error) = CliRunner.Run(["tsi", "--method", method, .. options, temp["s.npy"], temp["o.npy"]]);
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Tsi_BadInput_ExitsWith3()
    {
        using var temp = new TempFolder();
        NpyFile.Write(temp["m.npy"], new double[12], [3, 4]);
        var (code, _, error) = CliRunner.Run("tsi", "--method", "gasf", temp["m.npy"], temp["o.npy"]);
        Assert.Equal(3, code);
        Assert.Contains("1-D", error, StringComparison.Ordinal);

        File.WriteAllText(temp["t.npy"], "not numpy");
        var (textCode, _, textError) = CliRunner.Run("tsi", "--method", "gasf", temp["t.npy"], temp["o.npy"]);
        Assert.Equal(3, textCode);
        Assert.Contains("t.npy", textError, StringComparison.Ordinal);

        NpyFile.Write(temp["nan.npy"], new[] { 1.0, double.NaN, 2.0 }, [3]);
        Assert.Equal(3, CliRunner.Run("tsi", "--method", "paa", "--size", "2", temp["nan.npy"], temp["o.npy"]).Code);
    }

    [Fact]
    public void Synth_SameSeed_SameBytes()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run("synth", "--seconds", "2", "--seed", "9", temp["a.wav"]).Code);
        Assert.Equal(0, CliRunner.Run("synth", "--seconds", "2", "--seed", "9", temp["b.wav"]).Code);
        Assert.Equal(0, CliRunner.Run("synth", "--seconds", "2", "--seed", "10", temp["c.wav"]).Code);
        Assert.Equal(File.ReadAllBytes(temp["a.wav"]), File.ReadAllBytes(temp["b.wav"]));
        Assert.NotEqual(File.ReadAllBytes(temp["a.wav"]), File.ReadAllBytes(temp["c.wav"]));
        var signal = WavDecoder.Default.Decode(File.ReadAllBytes(temp["a.wav"]));
        Assert.Equal(16000, signal.Samples.Length);
        Assert.Equal(2, CliRunner.Run("synth", "--seconds", "-1", temp["d.wav"]).Code);
    }

    private static string WriteClip(string path, ulong seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var clip = SyntheticCry.Generate(8000, 7.0, seed);
        File.WriteAllBytes(path, WavEncoder.Encode(clip.Samples, clip.SampleRate));
        return path;
    }
}

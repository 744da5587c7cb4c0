using System.Text.Json;
using Cry.Audio;
using Cry.TestSupport;
using Cry.Audio.Decoding;
using Cry.Audio.Wav;

namespace Cry.Cli.Tests;

public sealed class PredictCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public PredictCommandTests()
    {
        TinyBundle.Create(["belly_pain", "hungry", "tired"], "tiny-model").Write(_temp["model"]);
        Directory.CreateDirectory(_temp["clips"]);
        var clip = SyntheticCry.Generate(16000, 7.0, seed: 1);
        File.WriteAllBytes(_temp["clips/a.wav"], WavEncoder.Encode(clip.Samples, clip.SampleRate));
        var longer = SyntheticCry.Generate(8000, 15.0, seed: 2);
        File.WriteAllBytes(_temp["clips/b.wav"], WavEncoder.Encode(longer.Samples, longer.SampleRate));
        File.WriteAllText(_temp["clips/notes.wav"], "this is text, not audio");
    }

    [Fact]
    public void Table_ScoresGoodFiles_AndABadFileGetsItsMessageAndExit3()
    {
        var (code, output, error) = CliRunner.Run("predict", "--model", _temp["model"], _temp["clips/a.wav"], _temp["clips/notes.wav"], _temp["clips/b.wav"]);
        Assert.Equal(3, code);
        Assert.Contains("a.wav", output, StringComparison.Ordinal);
        Assert.Contains("b.wav", output, StringComparison.Ordinal);
        Assert.Contains("belly_pain", output, StringComparison.Ordinal);
        Assert.Contains("not medical advice", output, StringComparison.Ordinal);
        Assert.Contains("notes.wav", error, StringComparison.Ordinal);
        Assert.Contains("text", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_IsOneObjectPerLine()
    {
        var (code, output, error) = CliRunner.Run("predict", "--model", _temp["model"], "--json", _temp["clips/a.wav"], _temp["clips/b.wav"]);
        Assert.True(code == 0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("tiny-model", first.RootElement.GetProperty("modelId").GetString());
        Assert.Equal(1, first.RootElement.GetProperty("windows").GetArrayLength());
        Assert.True(second.RootElement.GetProperty("windows").GetArrayLength() > 1); // 15 s: several windows
        Assert.Equal(3, first.RootElement.GetProperty("probabilities").EnumerateObject().Count());
    }

    [Fact]
    public void PhoneFormats_AreScoredAsTheyAre_AndAFolderStandsForEveryRecordingInIt()
    {
        Assert.SkipUnless(FfmpegEncoder.IsAvailable, FfmpegEncoder.Missing);
        byte[] wav = File.ReadAllBytes(_temp["clips/a.wav"]);
        Directory.CreateDirectory(_temp["phone"]);
        foreach (var (_, extension, arguments) in FfmpegEncoder.PhoneFormats)
        {
            File.WriteAllBytes(_temp["phone/a" + extension], FfmpegEncoder.Encode(wav, extension, arguments));
        }

        File.WriteAllText(_temp["phone/readme.txt"], "not a recording: not picked up");
        var (code, output, error) = CliRunner.Run("predict", "--model", _temp["model"], "--json", _temp["phone"]);
        Assert.True(code == 0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(FfmpegEncoder.PhoneFormats.Count, lines.Length);
        foreach (string line in lines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.InRange(json.RootElement.GetProperty("durationSeconds").GetDouble(), 6.9, 7.1);
        }
    }

    [Fact]
    public void FormatNeedingFfmpeg_WithFfmpegTurnedOff_ExitsWith3AndSaysWhatIsNeeded()
    {
        Assert.SkipUnless(FfmpegEncoder.IsAvailable, FfmpegEncoder.Missing);
        File.WriteAllBytes(_temp["clips/memo.m4a"], FfmpegEncoder.Encode(File.ReadAllBytes(_temp["clips/a.wav"]), ".m4a", "-c:a", "aac"));
        string? before = Environment.GetEnvironmentVariable(FfmpegOptions.PathVariable);
        var (code, _, error) = CliRunner.RunWithEnvironment(FfmpegOptions.PathVariable, string.Empty, "predict", "--model", _temp["model"], _temp["clips/memo.m4a"]);
        Assert.Equal(before, Environment.GetEnvironmentVariable(FfmpegOptions.PathVariable));
        Assert.Equal(3, code);
        Assert.Contains("memo.m4a", error, StringComparison.Ordinal);
        Assert.Contains("AAC-LC in an M4A container needs FFmpeg on this host", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_StandsForItsWavFiles()
    {
        var (code, output, error) = CliRunner.Run("predict", "--model", _temp["model"], "--json", _temp["clips"]);
        Assert.Equal(3, code); // notes.wav is text
        Assert.Equal(2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("notes.wav", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsExit3_WithTheName()
    {
        var (code, _, error) = CliRunner.Run("predict", "--model", _temp["model"], _temp["clips/none.wav"]);
        Assert.Equal(3, code);
        Assert.Contains("none.wav: file not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenBundle_IsExit3_SayingWhatIsWrong()
    {
        Directory.CreateDirectory(_temp["empty"]);
        var (code, _, error) = CliRunner.Run("predict", "--model", _temp["empty"], _temp["clips/a.wav"]);
        Assert.Equal(3, code);
        Assert.Contains("manifest.json and model.onnx", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--device", "gpu")]
    [InlineData("--threads", "0")]
    public void BadOptions_AreUsageErrors(string option, string value)
    {
        var (code, _, error) = CliRunner.Run("predict", "--model", _temp["model"], option, value, _temp["clips/a.wav"]);
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RobustnessCorpus_BadFilesAreNamedWithExit3_GoodOnesAreScored()
    {
        Directory.CreateDirectory(_temp["corpus"]);
        var files = RobustnessCorpus.Cases.Select((c, i) =>
        {
            string path = _temp[$"corpus/{i:00}-{c.Name.Replace(' ', '-').Replace('/', '-')}.wav"];
            File.WriteAllBytes(path, c.Bytes);
            return (Path: path, c.Expected);
        }).ToList();

        var (code, output, error) = CliRunner.Run(["predict", "--model", _temp["model"], "--json", .. files.Select(f => f.Path)]);
        Assert.Equal(3, code);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
        string[] results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int scored = files.Count(f => f.Expected == Expected.Result);
        Assert.True(scored == results.Length, $"{results.Length} scored, {scored} expected; stderr:\n{error}");
        foreach (var (path, expected) in files.Where(f => f.Expected != Expected.Result))
        {
            Assert.Contains(Path.GetFileName(path) + ":", error, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _temp.Dispose();
}

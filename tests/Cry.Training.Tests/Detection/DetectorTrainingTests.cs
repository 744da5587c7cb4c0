using System.Diagnostics;
using Cry.Audio;
using Cry.Features;
using Cry.Features.Detection;
using Cry.Features.Specs;
using Cry.Training.Data;
using Cry.Training.Detection;
using Cry.Training.Evaluation;
using Cry.Audio.Wav;

namespace Cry.Training.Tests.Detection;

/// <summary>The cry detector trained with grouped folds: cries against speech and noise, and no shortcut through the decoder.</summary>
public sealed class DetectorTrainingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cry-detector-" + Guid.NewGuid().ToString("N"));

    public DetectorTrainingTests() => Directory.CreateDirectory(_folder);

    [Fact]
    public void SyntheticCries_AreToldFromSpeechAndNoise_OnGroupsTheFoldModelsNeverSaw()
    {
        if (!OnPath("espeak-ng"))
        {
            Assert.Skip("espeak-ng is not installed (infra/system-packages.sh --test installs it); the speech negatives need it.");
        }

        var clips = new List<ClipInfo>();
        var random = new Random(11);
        for (int i = 0; i < 24; i++)
        {
            string cry = Path.Combine(_folder, $"cry-{i}.wav");
            File.WriteAllBytes(cry, WavEncoder.Encode(SyntheticCry.Generate(8000, 3, (ulong)(100 + i)).Samples, 8000));
            clips.Add(new ClipInfo(cry, "hungry", $"cry-{i}", $"hungry/cry-{i}.wav"));

            float level = 0.02f + (0.3f * (float)random.NextDouble());
            var noise = Enumerable.Range(0, 8000 * 3).Select(_ => level * (float)((random.NextDouble() * 2) - 1)).ToArray();
            string noisy = Path.Combine(_folder, $"noise-{i}.wav");
            File.WriteAllBytes(noisy, WavEncoder.Encode(noise, 8000));
            clips.Add(new ClipInfo(noisy, ReservedLabels.NotCry, $"noise-{i}", $"not_cry/noise/{i}.wav") { Source = "noise" });
        }

        string[] voices = ["en", "de", "fr", "es", "it", "nl"];
        string[] sentences = ["the weather is changing this afternoon", "please hand me the blue cup on the table", "we will leave for the station at nine"];
        for (int i = 0; i < 18; i++)
        {
            string speech = Path.Combine(_folder, $"speech-{i}.wav");
            Run("espeak-ng", "-v", voices[i % voices.Length], "-p", $"{30 + (i * 3)}", "-w", speech, sentences[i % sentences.Length]);
            clips.Add(new ClipInfo(speech, ReservedLabels.NotCry, $"speech-{voices[i % voices.Length]}", $"not_cry/speech/{i}.wav") { Source = "speech" });
        }

        var recordings = DetectorTraining.Featurize(clips, new FeatureExtractor(FeatureSpecPresets.TsiRgb64), threads: 2);
        Assert.Equal(clips.Count, recordings.Count);
        var groups = recordings.Select(r => r.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        var result = DetectorTraining.Train(recordings, g => groups.IndexOf(g) % 3, 3);

        var quality = result.Model.OutOfFold;
        Assert.True(quality.Auc > 0.95, $"out-of-fold AUC {quality.Auc:0.000}");
        Assert.True(quality.Recall >= 0.95, $"out-of-fold recall {quality.Recall:0.000}");
        foreach (string source in new[] { "noise", "speech" })
        {
            var mine = Enumerable.Range(0, recordings.Count).Where(r => recordings[r].Source == source).ToList();
            double recognised = mine.Count(r => result.OutOfFoldScores[r] < result.Model.Threshold) / (double)mine.Count;
            Assert.True(recognised >= 0.8, $"{source}: {recognised:0.000} recognised out of fold");
        }
    }

    /// <summary>
    /// A detector trained on phone files only (cries and non-cries through the same decoders) must score a phone
    /// recording and its cleaned WAV twin alike: the WAVs were converted by another tool, and a detector that had
    /// learnt the decoding path would tell them apart. Tolerance: the median absolute difference of the recording
    /// scores at most 0.05, and 90 % of the pairs within 0.1 (measured: median 0.001, largest 0.07 of 40 pairs).
    /// </summary>
    [Fact]
    public void APhoneRecordingAndItsWavTwin_GetTheSameCryScore()
    {
        string? shared = LocateShared();
        if (shared is null)
        {
            Assert.Skip("../shared/corpus/donateacry-raw not found: the raw-and-WAV twin test needs the corpus.");
        }

        if (!OnPath("ffmpeg"))
        {
            Assert.Skip("ffmpeg is not installed (infra/system-packages.sh installs it); the phone recordings need it.");
        }

        var wavByStem = Directory.EnumerateFiles(Path.Combine(shared, "donateacry"), "*.wav", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f).ToLowerInvariant(), f => f);
        var raw = ClipDataset.DetectorFolder(Path.Combine(shared, "donateacry-raw"));
        var cries = raw.Where(c => c.Label == ReservedLabels.Cry).ToList();
        var twins = cries.Where(c => wavByStem.ContainsKey(Path.GetFileNameWithoutExtension(c.Path).ToLowerInvariant()))
            .OrderBy(c => c.ClipId, StringComparer.Ordinal).Where((_, i) => i % 6 == 0).Take(40).ToList();
        var twinGroups = twins.Select(c => c.Group).ToHashSet(StringComparer.Ordinal);
        var training = raw.Where(c => !twinGroups.Contains(c.Group)).OrderBy(c => c.ClipId, StringComparer.Ordinal).Where((_, i) => i % 2 == 0).ToList();

        var extractor = new FeatureExtractor(FeatureSpecPresets.TsiRgb64);
        var recordings = DetectorTraining.Featurize(training, extractor, threads: 2);
        var groups = recordings.Select(r => r.Group).Distinct().Order(StringComparer.Ordinal).ToList();
        var model = DetectorTraining.Train(recordings, g => groups.IndexOf(g) % 3, 3).Model;

        var phone = DetectorTraining.Featurize(twins, extractor, threads: 2);
        var wavs = DetectorTraining.Featurize(
            [.. twins.Select(c => new ClipInfo(wavByStem[Path.GetFileNameWithoutExtension(c.Path).ToLowerInvariant()], "hungry", c.Group, c.ClipId))], extractor, threads: 2);
        Assert.Equal(phone.Count, wavs.Count);
        double Score(DetectorRecording r)
        {
            var windows = Enumerable.Range(0, r.Windows).Select(w => model.Probability(r.Features.AsSpan(w * CryFeatures.Count, CryFeatures.Count))).ToArray();
            return CryDetection.RecordingScore(windows, model.MinSegmentWindows);
        }

        var differences = phone.Zip(wavs, (p, w) => Math.Abs(Score(p) - Score(w))).Order().ToArray();
        double median = differences[differences.Length / 2];
        double within = differences.Count(d => d <= 0.1) / (double)differences.Length;
        Assert.True(median <= 0.05 && within >= 0.9, $"{differences.Length} twins: median |Δ| {median:0.000}, {within:P0} within 0.1; sorted: {string.Join(", ", differences.Select(d => d.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    private static string? LocateShared()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, "shared", "corpus");
            if (Directory.Exists(Path.Combine(candidate, "donateacry-raw", "cry")) && Directory.Exists(Path.Combine(candidate, "donateacry")))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

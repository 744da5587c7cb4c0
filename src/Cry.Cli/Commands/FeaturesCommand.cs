using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Cry.Audio;
using Cry.Features;
using Cry.Features.Npy;
using Cry.Features.Rendering;
using Cry.Features.Specs;
using Cry.Audio.Decoding;

namespace Cry.Cli.Commands;

/// <summary><c>cry features</c>: a recording or a folder of them through a feature spec, to .npy tensors (and PNG previews).</summary>
internal static class FeaturesCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var spec = new Option<string?>("--spec") { Description = "A feature spec JSON file (see docs/feature-spec.md)." };
        var preset = new Option<string?>("--preset") { Description = $"A named spec instead of --spec: {string.Join(", ", FeatureSpecPresets.Names)}." };
        preset.AcceptOnlyFromAmong([.. FeatureSpecPresets.Names]);
        var stage = new Option<string>("--stage")
        {
            Description = "How far to go: mel (power mel spectrogram), db (in dB), mfcc, series (mean MFCC per frame), image (C x H x W tensor) or functionals (one vector of MFCC, spectral, level and voice statistics; a folder also gets functionals.csv).",
            DefaultValueFactory = _ => "image",
        };
        stage.AcceptOnlyFromAmong("mel", "db", "mfcc", "series", "image", "functionals");
        var png = new Option<string?>("--png")
        {
            Description = "Also write a PNG preview: a file for one input, a folder (same layout as OUTPUT) for a folder input. Not for --stage series.",
        };
        var threads = new Option<int>("--threads")
        {
            Description = "Folder input: clips processed in parallel (default: all cores).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--threads must be at least 1.");
            }
        });
        var input = new Argument<string>("INPUT") { Description = "A recording (WAV, CAF, 3GP/MP4/M4A, AMR, WebM, Ogg, MP3, FLAC: the content decides), or a folder of <label>/<recording>." };
        var outputPath = new Argument<string>("OUTPUT") { Description = "A .npy file for one recording, a folder (same layout, .npy files; two recordings with one stem keep their extension: a.wav.npy, a.3gp.npy) for a folder input." };

        var command = new Command("features", "Compute features of a recording or a folder of recordings with a feature spec; prints one summary line.")
        {
            spec, preset, stage, png, threads, input, outputPath,
        };
        command.SetAction(parse =>
        {
            var featureSpec = LoadSpec(parse.GetValue(spec), parse.GetValue(preset));
            foreach (string warning in featureSpec.Warnings())
            {
                error.WriteLine($"cry: warning: {warning}");
            }

            var featureStage = Enum.Parse<FeatureStage>(parse.GetValue(stage)!, ignoreCase: true);
            featureSpec.RequireStage(featureStage);
            string? pngPath = parse.GetValue(png);
            if (pngPath is not null && featureStage is FeatureStage.Series or FeatureStage.Functionals)
            {
                throw new UsageException($"--png needs a 2-D stage; {featureStage.ToString().ToLowerInvariant()} is 1-D.");
            }

            var extractor = new FeatureExtractor(featureSpec);
            string inputPath = parse.GetValue(input)!;
            string outPath = parse.GetValue(outputPath)!;
            return Directory.Exists(inputPath)
                ? RunFolder(extractor, featureStage, inputPath, outPath, pngPath, parse.GetValue(threads), output, error)
                : RunFile(extractor, featureStage, inputPath, outPath, pngPath, output);
        });
        return command;
    }

    internal static FeatureSpec LoadSpec(string? specPath, string? presetName)
    {
        if ((specPath is null) == (presetName is null))
        {
            throw new UsageException("Give exactly one of --spec SPEC.json or --preset NAME.");
        }

        if (presetName is not null)
        {
            return FeatureSpecPresets.Get(presetName);
        }

        string json;
        try
        {
            json = File.ReadAllText(specPath!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{specPath}: the spec cannot be read: {ex.Message}", ex);
        }

        try
        {
            return FeatureSpec.Parse(json);
        }
        catch (FeatureSpecException ex)
        {
            throw new FeatureSpecException($"{specPath}: {ex.Message}", ex);
        }
    }

    private static int RunFile(FeatureExtractor extractor, FeatureStage stage, string inputPath, string outPath, string? pngPath, TextWriter output)
    {
        var watch = Stopwatch.StartNew();
        var (seconds, _) = Process(extractor, stage, inputPath, outPath, pngPath);
        output.WriteLine(Summary(1, 0, seconds, watch.Elapsed, 1));
        return ExitCodes.Success;
    }

    private static int RunFolder(
        FeatureExtractor extractor, FeatureStage stage, string inputFolder, string outFolder, string? pngFolder, int threads, TextWriter output, TextWriter error)
    {
        var files = Directory.EnumerateFiles(inputFolder, "*", SearchOption.AllDirectories)
            .Where(AudioDecoder.HasAudioExtension)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new BadInputException($"{inputFolder}: no recordings found (looked for {string.Join(", ", AudioDecoder.FileExtensions)}).");
        }

        var failures = new ConcurrentBag<string>();
        var vectors = new ConcurrentDictionary<string, float[]>(StringComparer.Ordinal);
        double totalSeconds = 0;
        object gate = new();
        var targets = OutputNames(inputFolder, files);
        var watch = Stopwatch.StartNew();
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = threads }, file =>
        {
            string relative = targets[file];
            string target = Path.Combine(outFolder, relative + ".npy");
            string? preview = pngFolder is null ? null : Path.Combine(pngFolder, relative + ".png");
            try
            {
                var (seconds, features) = Process(extractor, stage, file, target, preview);
                if (stage == FeatureStage.Functionals)
                {
                    vectors[relative] = features;
                }

                lock (gate)
                {
                    totalSeconds += seconds;
                }
            }
            catch (BadInputException ex)
            {
                failures.Add(ex.Message);
            }
        });

        foreach (string failure in failures.Order(StringComparer.Ordinal))
        {
            error.WriteLine($"cry: skipped {failure}");
        }

        if (stage == FeatureStage.Functionals)
        {
            WriteFunctionalsTable(extractor, inputFolder, files, targets, vectors, Path.Combine(outFolder, "functionals.csv"));
        }

        output.WriteLine(Summary(files.Count - failures.Count, failures.Count, totalSeconds, watch.Elapsed, threads));
        return failures.IsEmpty ? ExitCodes.Success : ExitCodes.BadInput;
    }

    // Output names without the recording's extension (a/b.wav → a/b), except where two recordings of one folder share a
    // stem (b.wav and b.3gp): those keep their extension (b.wav, b.3gp) so neither overwrites the other.
    private static Dictionary<string, string> OutputNames(string inputFolder, IReadOnlyList<string> files)
    {
        var relative = files.ToDictionary(f => f, f => Path.GetRelativePath(inputFolder, f), StringComparer.Ordinal);
        var stems = relative.Values.GroupBy(r => Path.ChangeExtension(r, null), StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return relative.ToDictionary(
            pair => pair.Key,
            pair => stems.Contains(Path.ChangeExtension(pair.Value, null)) ? pair.Value : Path.ChangeExtension(pair.Value, null),
            StringComparer.Ordinal);
    }

    /// <summary>One row per recording (in path order): its path below the folder, its label folder, then every functional by name.</summary>
    private static void WriteFunctionalsTable(
        FeatureExtractor extractor, string inputFolder, IReadOnlyList<string> files, Dictionary<string, string> targets, ConcurrentDictionary<string, float[]> vectors, string path)
    {
        var csv = new System.Text.StringBuilder("path,label,").AppendJoin(',', extractor.Functionals.Names).Append('\n');
        foreach (string file in files)
        {
            if (!vectors.TryGetValue(targets[file], out var vector))
            {
                continue;
            }

            string relative = Path.GetRelativePath(inputFolder, file).Replace('\\', '/');
            string label = relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.IndexOf('/', StringComparison.Ordinal)] : string.Empty;
            csv.Append(Csv(relative)).Append(',').Append(Csv(label));
            foreach (float value in vector)
            {
                csv.Append(',').Append(value.ToString("R", CultureInfo.InvariantCulture));
            }

            csv.Append('\n');
        }

        InputFiles.EnsureParentFolder(path);
        File.WriteAllText(path, csv.ToString());
    }

    private static string Csv(string value) => value.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    private static (double Seconds, float[] Features) Process(FeatureExtractor extractor, FeatureStage stage, string inputPath, string outPath, string? pngPath)
    {
        var signal = InputFiles.ReadAudio(inputPath, AudioDecoder.Default);
        float[] features;
        int[] shape;
        try
        {
            var prepared = extractor.PrepareAudio(signal);
            features = extractor.Compute(prepared, stage, out shape);
        }
        catch (AudioFormatException ex)
        {
            throw new BadInputException($"{inputPath}: {ex.Message}", ex);
        }

        InputFiles.EnsureParentFolder(outPath);
        NpyFile.Write(outPath, features, shape);
        if (pngPath is not null)
        {
            InputFiles.EnsureParentFolder(pngPath);
            FeatureImageRenderer.WritePng(features, shape, pngPath, flipVertical: stage != FeatureStage.Image);
        }

        return (signal.DurationSeconds, features);
    }

    private static string Summary(int clips, int failed, double seconds, TimeSpan elapsed, int threads)
    {
        double rate = clips / Math.Max(elapsed.TotalSeconds, 1e-9);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"features: {clips} clips, {seconds:0.0} s of audio, {rate:0.0} clips/s ({elapsed.TotalSeconds:0.00} s, {threads} threads){(failed > 0 ? $", {failed} skipped" : string.Empty)}");
    }
}

using System.CommandLine;
using System.Globalization;
using Cry.Audio.Augmentation;
using Cry.Cli.Corpus;
using Cry.Features.Specs;
using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.Reports;
using Cry.Training.Torch;
using Cry.Training.Torch.Experiments;

namespace Cry.Cli.Commands;

/// <summary><c>cry demo</c>: the whole path in one command — corpus, grouped cross-validation, final model, report, predictions.</summary>
internal static class DemoCommand
{
    public static Command Create(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var corpus = new Option<string?>("--corpus")
        {
            Description = "The Donate-a-cry corpus folder (<label>/<recording>). Default: CRY_CORPUS, else data/donateacry, downloaded when missing.",
        };
        var outFolder = new Option<string>("--out") { Description = "Where the report, model and predictions go.", DefaultValueFactory = _ => "demo-output" };
        var epochs = new Option<int>("--epochs") { Description = "Maximum training epochs per fold.", DefaultValueFactory = _ => 30 };
        var folds = new Option<int>("--folds") { Description = "Cross-validation folds.", DefaultValueFactory = _ => 5 };
        var seed = new Option<long>("--seed") { Description = "Seed of the whole run.", DefaultValueFactory = _ => 1 };
        var detectorData = new Option<string[]>("--detector-data")
        {
            Description = "A folder of recordings for the cry detector only (not_cry/ non-cries, every other sub-folder cries), e.g. the raw phone uploads; may be repeated.",
        };
        var command = new Command(
            "demo",
            "Get the corpus, cross-validate the default preset with grouped folds, train the final model, write the report and " +
            "the model bundle, and predict a few clips from groups the model never saw.")
        {
            corpus, outFolder, epochs, folds, seed, detectorData,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string folder = parse.GetValue(outFolder)!;
            string data = await GetCorpusAsync(parse.GetValue(corpus), error, cancellationToken);
            var spec = FeatureSpecPresets.Default;
            var options = new ExperimentOptions
            {
                Folds = parse.GetValue(folds),
                Seed = (ulong)parse.GetValue(seed),
                Training = new TrainingOptions { Epochs = parse.GetValue(epochs), Seed = parse.GetValue(seed), Threads = Environment.ProcessorCount },
            };

            var features = Featurize(data, spec, folder, error);
            var extra = DetectorClips(data, parse.GetValue(detectorData) ?? [], error);

            EnsembleResult result;
            string modelFolder = Path.Combine(folder, "model");
            try
            {
                var view = TrainingProgressView.Create(error);
                result = view.Run(() => EnsembleBundle.Train(features, modelFolder, new EnsembleOptions { Experiment = options }, "cry " + string.Join(' ', args), view.Log, view, extra));
            }
            catch (DatasetException ex)
            {
                throw new BadInputException(ex.Message, ex);
            }

            string reportFolder = Path.Combine(folder, "report");
            WriteReport(reportFolder, result, features, options, spec);
            PrintSummary(result, features, options, output);
            output.WriteLine($"report: {reportFolder}/report.md   model: {modelFolder}   (not medical advice; the corpus is small and imbalanced)");
            return ExitCodes.Success;
        });
        return command;
    }

    // The corpus's clips and their features (cached under the output folder); skipped clips are said.
    private static FeaturizedDataset Featurize(string data, FeatureSpec spec, string folder, TextWriter error)
    {
        FeaturizedDataset features;
        try
        {
            var dataset = ClipDataset.FromFolder(data);
            error.WriteLine($"cry: {dataset.Count} clips, {dataset.GroupCount} groups; features ({spec.Id})");
            features = FeaturizedDataset.Compute(dataset, spec, AugmentationPolicy.Research, Path.Combine(folder, "cache"));
        }
        catch (DatasetException ex)
        {
            throw new BadInputException($"{data}: {ex.Message}", ex);
        }

        foreach (var skipped in features.Skipped)
        {
            error.WriteLine($"cry: skipped {skipped.Path}: {skipped.Reason}");
        }

        return features;
    }

    // The cry detector's extra recordings: the folders given, and the raw phone recordings beside the corpus when present.
    private static IReadOnlyList<ClipInfo> DetectorClips(string data, IEnumerable<string> given, TextWriter error)
    {
        var detectorFolders = given.ToList();
        string rawTwin = Path.TrimEndingDirectorySeparator(data) + "-raw";
        if (Directory.Exists(Path.Combine(rawTwin, ReservedLabels.NotCry))
            && !detectorFolders.Any(f => Path.GetFullPath(Path.TrimEndingDirectorySeparator(f)) == Path.GetFullPath(rawTwin)))
        {
            error.WriteLine($"cry: the cry detector also trains on the raw phone recordings in {rawTwin}");
            detectorFolders.Add(rawTwin); // `cry download` puts them beside the clips.
        }

        return TrainingArguments.LoadDetectorFolders(detectorFolders);
    }

    private static void WriteReport(string reportFolder, EnsembleResult result, FeaturizedDataset features, ExperimentOptions options, FeatureSpec spec)
    {
        Directory.CreateDirectory(reportFolder);
        var report = result.Report with { Title = Title(options, spec) };
        ReportContents.Write(reportFolder, ReportContents.From(report.Title!, ReportContents.Method(features, options), report, result.CrossValidation, features));
        ReportContents.WritePredictions(reportFolder, result.CrossValidation, features);
    }

    private static string Title(ExperimentOptions options, FeatureSpec spec) =>
        $"{options.Folds}-fold grouped cross-validation, preset default ({spec.Id}), {options.Training.Model}";

    // The pooled metrics with intervals, a few out-of-fold predictions, the bundle's guarantees and the trust lines.
    private static void PrintSummary(EnsembleResult result, FeaturizedDataset features, ExperimentOptions options, TextWriter output)
    {
        var cv = result.CrossValidation;
        var report = result.Report;
        output.WriteLine();
        output.WriteLine($"Grouped {options.Folds}-fold cross-validation on {cv.Actual.Length} clips (every clip predicted by a model that never saw its app instance):");
        output.WriteLine(Row("metric", "pooled", "fold mean ± sd", "95 % CI"));
        output.WriteLine(Row("macro-F1", F(report.MacroF1), report.Folds?.MacroF1.ToString() ?? "", Ci(report.ConfidenceIntervals?.MacroF1)));
        output.WriteLine(Row("balanced accuracy", F(report.BalancedAccuracy), report.Folds?.BalancedAccuracy.ToString() ?? "", Ci(report.ConfidenceIntervals?.BalancedAccuracy)));
        output.WriteLine(Row("accuracy", F(report.Accuracy), report.Folds?.Accuracy.ToString() ?? "", Ci(report.ConfidenceIntervals?.Accuracy)));
        foreach (var baseline in report.Baselines)
        {
            output.WriteLine(Row($"baseline: {baseline.Name}", $"F1 {F(baseline.MacroF1)}", $"bal. acc. {F(baseline.BalancedAccuracy)}", string.Empty));
        }

        output.WriteLine();
        output.WriteLine("Out-of-fold predictions (each by the fold model that never saw the clip's app instance, calibrated as the bundle calibrates):");
        PrintPredictions(features, result, output);
        output.WriteLine();
        foreach (string note in TrainingArguments.GuaranteeNotes(result.Manifest))
        {
            output.WriteLine($"model: {note}");
        }

        foreach (string line in EvaluateCommand.TrustLines(report.Trust))
        {
            output.WriteLine($"out of fold: {line}");
        }
    }

    private static async Task<string> GetCorpusAsync(string? corpus, TextWriter error, CancellationToken cancellationToken)
    {
        string? folder = corpus ?? Environment.GetEnvironmentVariable("CRY_CORPUS");
        if (!string.IsNullOrEmpty(folder))
        {
            return Directory.Exists(folder) ? folder : throw new BadInputException($"{folder}: corpus folder not found.");
        }

        folder = Path.Combine("data", "donateacry");
        using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(2) };
        var downloader = new CorpusDownloader(http, CorpusManifest.DonateACry, message => error.WriteLine($"cry: {message}"));
        // The raw phone recordings come with it (data/donateacry-raw): the demo's cry detector trains on them.
        await downloader.DownloadAsync(CorpusDownloader.DefaultSource, folder, DownloadCommand.RawTarget(folder, null, noRaw: false), cancellationToken);
        return folder;
    }

    private static void PrintPredictions(FeaturizedDataset features, EnsembleResult result, TextWriter output)
    {
        var picks = Enumerable.Range(0, features.Dataset.Count)
            .GroupBy(i => features.Dataset.Clips[i].Label)
            .Select(g => g.First())
            .Take(5)
            .ToArray();
        int classes = result.Manifest.Labels.Count;
        output.WriteLine(Row("clip", "true", "predicted", "probability"));
        foreach (int p in picks)
        {
            var row = result.CalibratedOutOfFold.AsSpan(p * classes, classes);
            int best = Cry.Features.Models.Probabilities.ArgMax(row);
            string name = Path.GetFileName(features.Dataset.Clips[p].Path);
            output.WriteLine(Row(name.Length > 28 ? name[..28] + "…" : name, features.Dataset.Clips[p].Label, result.Manifest.Labels[best], F(row[best])));
        }
    }

    private static string Row(string a, string b, string c, string d) => $"  {a,-30} {b,-12} {c,-16} {d}";

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Ci(ConfidenceInterval? interval) =>
        interval is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"[{interval.Lower:0.000}, {interval.Upper:0.000}]");
}

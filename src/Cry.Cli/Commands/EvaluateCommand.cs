using System.CommandLine;
using System.Globalization;
using Cry.Audio.Augmentation;
using Cry.Inference;
using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.Reports;
using Cry.Training.Torch.Experiments;

namespace Cry.Cli.Commands;

/// <summary><c>cry evaluate</c>: cross-validation of the method on a folder of clips, written as a report folder.</summary>
internal static class EvaluateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var arguments = new TrainingArguments();
        var folds = new Option<int>("--folds") { Description = "Number of folds (every class needs at least this many groups when grouped).", DefaultValueFactory = _ => 5 };
        var protocol = new Option<string>("--protocol")
        {
            Description = "grouped: stratified group k-fold by app instance, augmentation only in training folds (honest). " +
                "leaky: the research's protocol, augment first then split at random (for comparison; it leaks).",
            DefaultValueFactory = _ => "grouped",
        };
        protocol.AcceptOnlyFromAmong("grouped", "leaky");
        var outFolder = new Option<string>("--out") { Description = "The report folder: metrics.json and report.md.", Required = true };
        var command = new Command("evaluate", "Cross-validate the method on --data and write a report (pooled out-of-fold metrics, per-fold mean ± sd, intervals, baselines).");
        foreach (var option in arguments.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(folds);
        command.Options.Add(protocol);
        command.Options.Add(outFolder);
        command.SetAction(parse =>
        {
            int k = parse.GetValue(folds);
            if (k < 2)
            {
                throw new UsageException("--folds must be at least 2.");
            }

            string modelArgument = parse.GetValue(arguments.Model)!;
            if (File.Exists(Path.Combine(modelArgument, Features.Models.ModelManifest.FileName)))
            {
                return ScoreBundle(modelArgument, parse.GetValue(arguments.Data)!, parse.GetValue(outFolder)!, parse.GetValue(arguments.Threads), output, error);
            }

            var chosen = parse.GetValue(protocol) == "leaky" ? EvaluationProtocol.Leaky : EvaluationProtocol.Grouped;
            var options = arguments.Experiment(parse, k, chosen);
            var features = arguments.Featurize(parse, error);
            CrossValidationResult result;
            try
            {
                var view = TrainingProgressView.Create(error);
                result = view.Run(() => CrossValidation.Run(features, options, view.Log, view));
            }
            catch (DatasetException ex)
            {
                throw new BadInputException(ex.Message, ex);
            }

            string folder = parse.GetValue(outFolder)!;
            Directory.CreateDirectory(folder);
            var report = result.Report with { Title = $"{k}-fold {chosen.ToString().ToLowerInvariant()} cross-validation, {features.Spec.Id}, {options.Training.Model}" };
            ReportContents.Write(folder, ReportContents.From(report.Title!, ReportContents.Method(features, options), report, result, features));
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"evaluate: {chosen.ToString().ToLowerInvariant()} {k}-fold, {result.Actual.Length} predictions, macro-F1 {report.MacroF1:0.000}, balanced accuracy {report.BalancedAccuracy:0.000}, accuracy {report.Accuracy:0.000} → {folder}"));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Scores an existing model bundle on a labelled folder: no training, the bundle's own spec and calibration.</summary>
    private static int ScoreBundle(string modelFolder, string data, string folder, int threads, TextWriter output, TextWriter error)
    {
        OnnxCryModel model;
        try
        {
            model = OnnxCryModel.Load(modelFolder);
        }
        catch (ModelBundleException ex)
        {
            throw new BadInputException(ex.Message, ex);
        }

        using (model)
        {
            FeaturizedDataset features;
            try
            {
                var dataset = ClipDataset.FromFolder(data);
                var unknown = dataset.Labels.Except(model.Manifest.Labels, StringComparer.Ordinal).ToList();
                if (unknown.Count > 0)
                {
                    throw new BadInputException($"{data}: the model does not know the label(s) {string.Join(", ", unknown)}; it knows {string.Join(", ", model.Manifest.Labels)}.");
                }

                features = FeaturizedDataset.Compute(dataset, model.Manifest.FeatureSpec, AugmentationPolicy.None, threads: threads);
            }
            catch (DatasetException ex)
            {
                throw new BadInputException($"{data}: {ex.Message}", ex);
            }

            foreach (var skipped in features.Skipped)
            {
                error.WriteLine($"cry: skipped {skipped.Path}: {skipped.Reason}");
            }

            int count = features.Dataset.Count;
            var inputs = new float[count * model.InputLength];
            for (int i = 0; i < count; i++)
            {
                features.Variants[i][0].CopyTo(inputs, i * model.InputLength);
            }

            var probabilities = model.PredictProbabilities(inputs, count);
            int[] actual = features.Dataset.Clips.Select(c => model.Manifest.Labels.ToList().IndexOf(c.Label)).ToArray();
            var report = MetricsReport.Evaluate([.. model.Manifest.Labels], actual, probabilities, [.. features.Dataset.Groups])
                with
                {
                    Title = $"Model {model.Manifest.ModelId} on {data}",
                    Temperature = model.Manifest.Temperature,
                };
            ReportContents.Write(folder, new ReportContent
            {
                Title = report.Title!,
                Method = $"The bundle `{model.Manifest.ModelId}` ({model.Manifest.Architecture}, spec `{model.Manifest.SpecId}`, temperature {model.Manifest.Temperature:0.00}) scored with ONNX Runtime on {count} clips, no training. " +
                    "Clips the model was trained on give optimistic numbers: score it on groups it never saw.",
                Metrics = report,
                Skipped = features.Skipped,
            });
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"evaluate: model {model.Manifest.ModelId} on {count} clips, macro-F1 {report.MacroF1:0.000}, balanced accuracy {report.BalancedAccuracy:0.000}, accuracy {report.Accuracy:0.000} → {folder}"));
            return ExitCodes.Success;
        }
    }
}

using System.CommandLine;
using System.Globalization;
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

            var chosen = parse.GetValue(protocol) == "leaky" ? EvaluationProtocol.Leaky : EvaluationProtocol.Grouped;
            var options = arguments.Experiment(parse, k, chosen);
            var features = arguments.Featurize(parse, error);
            CrossValidationResult result;
            try
            {
                result = CrossValidation.Run(features, options, message => error.WriteLine($"cry: {message}"));
            }
            catch (DatasetException ex)
            {
                throw new BadInputException(ex.Message, ex);
            }

            string folder = parse.GetValue(outFolder)!;
            Directory.CreateDirectory(folder);
            var report = result.Report with { Title = $"{k}-fold {chosen.ToString().ToLowerInvariant()} cross-validation, {features.Spec.Id}, {options.Training.Model}" };
            ReportWriter.Write(folder, ReportContents.From(report.Title!, ReportContents.Method(features, options), report, result, features));
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"evaluate: {chosen.ToString().ToLowerInvariant()} {k}-fold, {result.Actual.Length} predictions, macro-F1 {report.MacroF1:0.000}, balanced accuracy {report.BalancedAccuracy:0.000}, accuracy {report.Accuracy:0.000} → {folder}"));
            return ExitCodes.Success;
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using Cry.Training.Data;
using Cry.Training.Torch.Experiments;

namespace Cry.Cli.Commands;

/// <summary><c>cry train</c>: grouped k-fold cross-validation whose fold models, calibrated and certified out of fold, are the bundle.</summary>
internal static class TrainCommand
{
    public static Command Create(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var arguments = new TrainingArguments();
        var outFolder = new Option<string>("--out") { Description = "The model bundle folder: manifest.json, metrics.json, members/*.onnx.", Required = true };
        var folds = new Option<int>("--folds") { Description = "Folds of the grouped cross-validation, one answering model each (lowered to the fewest app instances of a need).", DefaultValueFactory = _ => 5 };
        var command = new Command(
            "train",
            "Cross-validate on --data with grouped folds and write the bundle: the k fold models answer together, with calibration, " +
            "prediction sets, confident answers and (when there are non-cries) a cry detector, all fitted out of fold.");
        foreach (var option in arguments.All.Concat(arguments.Guarantees))
        {
            command.Options.Add(option);
        }

        command.Options.Add(folds);
        command.Options.Add(outFolder);
        command.SetAction(parse =>
        {
            var features = arguments.Featurize(parse, error);
            var options = arguments.Ensemble(parse, features, parse.GetValue(folds), error);
            var extra = arguments.DetectorClips(parse);
            string commandLine = "cry " + string.Join(' ', args);
            string folder = parse.GetValue(outFolder)!;
            EnsembleResult result;
            try
            {
                var view = TrainingProgressView.Create(error);
                result = view.Run(() => EnsembleBundle.Train(features, folder, options, commandLine, view.Log, view, extra));
            }
            catch (DatasetException ex)
            {
                throw new BadInputException(ex.Message, ex);
            }

            var report = result.CrossValidation.Report;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"train: {options.Experiment.Folds} × {result.Manifest.Architecture} on {result.Manifest.TrainingData.Clips} clips; out of fold macro-F1 {report.MacroF1:0.000}, " +
                $"balanced accuracy {report.BalancedAccuracy:0.000} → {folder}"));
            foreach (string note in TrainingArguments.GuaranteeNotes(result.Manifest))
            {
                output.WriteLine($"train: {note}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

using System.CommandLine;
using Cry.Training.Data;
using Cry.Training.Torch.Experiments;

namespace Cry.Cli.Commands;

/// <summary><c>cry train</c>: trains the final model on a folder of clips and writes a model bundle.</summary>
internal static class TrainCommand
{
    public static Command Create(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var arguments = new TrainingArguments();
        var outFolder = new Option<string>("--out") { Description = "The model bundle folder: model.onnx, manifest.json, metrics.json.", Required = true };
        var command = new Command(
            "train",
            "Train the final model on --data (minus a grouped validation share used for early stopping and calibration) and write the model bundle.");
        foreach (var option in arguments.All)
        {
            command.Options.Add(option);
        }

        command.Options.Add(outFolder);
        command.SetAction(parse =>
        {
            var options = arguments.Experiment(parse);
            var features = arguments.Featurize(parse, error);
            string commandLine = "cry " + string.Join(' ', args);
            FinalModel final;
            try
            {
                var view = TrainingProgressView.Create(error);
                final = view.Run(() => ModelBundle.Train(features, options, commandLine, view.Log, view));
            }
            catch (DatasetException ex)
            {
                throw new BadInputException(ex.Message, ex);
            }

            using (final)
            {
                string folder = parse.GetValue(outFolder)!;
                ModelBundle.Write(folder, final);
                output.WriteLine(
                    $"train: {final.Manifest.Architecture} on {final.Manifest.TrainingData.Clips} clips, validation macro-F1 {final.Validation.MacroF1:0.000}, " +
                    $"balanced accuracy {final.Validation.BalancedAccuracy:0.000}, T {final.Manifest.Temperature:0.00} → {folder}");
                output.WriteLine($"train: {TrainingArguments.DetectorNote(features.Dataset)}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

using System.CommandLine;
using Cry.Audio;
using Cry.Cli.Commands;
using Cry.Cli.Corpus;
using Cry.Features.Npy;
using Cry.Features.Specs;
using Cry.Inference;
using Cry.Audio.Decoding;

namespace Cry.Cli;

/// <summary>The <c>cry</c> program: builds the command tree and turns failures into exit codes and messages.</summary>
public static class CryApp
{
    /// <summary>Runs the program with the given arguments and writers; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "CryFunctions: infant-cry features and classification.\n" +
            "Exit codes: 0 done, 2 usage error, 3 bad input data (stderr names the file and says what is wrong), " +
            "4 an outside resource is unavailable (e.g. the corpus download; stderr says what to do instead).");
        root.Subcommands.Add(TsiCommand.Create(output, error));
        root.Subcommands.Add(FeaturesCommand.Create(output, error));
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(DownloadCommand.Create(error));
        root.Subcommands.Add(TrainCommand.Create(args, output, error));
        root.Subcommands.Add(EvaluateCommand.Create(output, error));
        root.Subcommands.Add(ExperimentCommand.Create(output, error));
        root.Subcommands.Add(AuditCommand.Create(output, error));
        root.Subcommands.Add(PowerCommand.Create(output));
        root.Subcommands.Add(DemoCommand.Create(args, output, error));
        root.Subcommands.Add(PredictCommand.Create(output, error));
        root.Subcommands.Add(ServeCommand.Create(output, error));
        root.Subcommands.Add(TrainJobCommand.Create(args, output, error));

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                error.WriteLine($"cry: {e.Message}");
            }

            error.WriteLine("Run 'cry --help' or 'cry <command> --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            return Report(ex, error);
        }
    }

    /// <summary>Writes a one-line message for a failure and returns its exit code.</summary>
    internal static int Report(Exception ex, TextWriter error)
    {
        switch (ex)
        {
            case UsageException or FeatureSpecException or InferenceDeviceException:
                error.WriteLine($"cry: {ex.Message}");
                return ExitCodes.Usage;
            case BadInputException or AudioFormatException or NpyFormatException or ModelBundleException:
                error.WriteLine($"cry: {ex.Message}");
                return ExitCodes.BadInput;
            case CorpusUnavailableException or ResourceUnavailableException or AudioDecoderBusyException:
                error.WriteLine($"cry: {ex.Message}");
                return ExitCodes.Unavailable;
            default:
                error.WriteLine($"cry: internal error ({ex.GetType().Name}): {ex.Message}");
                return ExitCodes.InternalError;
        }
    }
}

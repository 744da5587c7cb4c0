using System.CommandLine;
using System.Globalization;
using Cry.Audio;
using Cry.Inference;
using Spectre.Console;
using Cry.Audio.Decoding;

namespace Cry.Cli.Commands;

/// <summary><c>cry predict</c>: scores recordings with a model bundle.</summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "The model bundle folder (model.onnx, manifest.json).", Required = true };
        var json = new Option<bool>("--json") { Description = "One JSON object per line and file (the API's answer: cryDetected, cryProbability, label, labelSet, setLevel, confidence, uncertain, certifiedPrecision, probabilities, priors, segments, windows, …) instead of a table." };
        var device = new Option<string>("--device") { Description = "auto (CUDA when ONNX Runtime can use it, else the CPU), cpu or cuda.", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong([.. InferenceOptions.Devices]);
        var threads = new Option<int>("--threads") { Description = "Threads per inference.", DefaultValueFactory = _ => 1 };
        var files = new Argument<string[]>("FILE") { Description = "Recordings to score (WAV, CAF, 3GP/MP4/M4A, AMR, WebM, Ogg, MP3, FLAC: the content decides); a folder stands for every recording under it.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("predict", "Say which need each recording most likely expresses, with calibrated probabilities (not medical advice).")
        {
            model, json, device, threads, files,
        };
        command.SetAction(parse =>
        {
            var options = new InferenceOptions
            {
                Device = parse.GetValue(device)!,
                Threads = parse.GetValue(threads),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message, ex);
            }

            using var predictor = Predictor.FromFolder(parse.GetValue(model)!, options, message => error.WriteLine($"cry: {message}"));
            bool asJson = parse.GetValue(json);
            var results = new List<(string File, PredictionResult Result)>();
            int failed = 0;
            foreach (string file in Expand(parse.GetValue(files)!))
            {
                PredictionResult result;
                try
                {
                    using var stream = OpenFile(file);
                    result = predictor.Predict(stream);
                }
                catch (Exception ex) when (ex is AudioFormatException or AudioDecoderBusyException or BadInputException or IOException)
                {
                    error.WriteLine(ex is BadInputException ? $"cry: {ex.Message}" : $"cry: {file}: {ex.Message}");
                    failed++;
                    continue;
                }

                if (asJson)
                {
                    output.WriteLine(result.ToJson());
                }
                else
                {
                    results.Add((file, result));
                }
            }

            if (!asJson && results.Count > 0)
            {
                WriteTable(results, output);
            }

            return failed > 0 ? ExitCodes.BadInput : ExitCodes.Success;
        });
        return command;
    }

    private static IEnumerable<string> Expand(IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (string file in Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true })
                    .Where(AudioDecoder.HasAudioExtension)
                    .Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BadInputException($"{path}: file not found.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: cannot be read: {ex.Message}", ex);
        }
    }

    private static void WriteTable(List<(string File, PredictionResult Result)> results, TextWriter output)
    {
        var labels = results[0].Result.Priors.Keys.ToList();
        var table = new Table().Border(TableBorder.Minimal);
        table.AddColumn("file");
        table.AddColumn("cry");
        table.AddColumn("label");
        table.AddColumn("could be");
        table.AddColumn(new TableColumn("confidence").RightAligned());
        table.AddColumn(new TableColumn("certified").RightAligned());
        table.AddColumn("note");
        table.AddColumn(new TableColumn("windows").RightAligned());
        foreach (string label in labels)
        {
            table.AddColumn(new TableColumn(Markup.Escape(label)).RightAligned());
        }

        foreach (var (file, result) in results)
        {
            string note = result.Silent ? "silent: no cry to interpret"
                : result.CryDetected == false ? "no infant cry detected"
                : result.Uncertain ? "uncertain" : "confident";
            string cry = result.CryDetected is { } detected
                ? $"{(detected ? "yes" : "no")} {result.CryProbability!.Value.ToString("0.00", CultureInfo.InvariantCulture)}"
                : "-";
            var cells = new List<string>
            {
                Markup.Escape(file),
                cry,
                Markup.Escape(result.Label ?? "-"),
                Markup.Escape(result.LabelSet is null ? "-" : string.Join(", ", result.LabelSet)),
                result.Confidence?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-",
                result.CertifiedPrecision?.ToString("≥ 0.00", CultureInfo.InvariantCulture) ?? "-",
                note,
                result.Windows.Count.ToString(CultureInfo.InvariantCulture),
            };
            cells.AddRange(labels.Select(l => result.Probabilities is { } p ? p[l].ToString("0.000", CultureInfo.InvariantCulture) : "-"));
            table.AddRow([.. cells]);
        }

        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 4096; // A file or pipe: one row per line, never wrapped.
        }

        console.Write(table);
        var priors = results[0].Result.Priors;
        output.WriteLine("Shares in the training data (read the probabilities against them): " + string.Join(", ", priors.Select(p => $"{p.Key} {p.Value.ToString("0.00", CultureInfo.InvariantCulture)}")));
        output.WriteLine("Probabilities are calibrated out of fold; \"could be\" is the set that holds the true need at the stated level; this is not medical advice.");
    }
}

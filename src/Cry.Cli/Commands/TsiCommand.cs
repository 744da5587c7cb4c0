using System.CommandLine;
using System.Globalization;
using Cry.Features.Imaging;
using Cry.Features.Npy;
using Cry.Features.Specs;

namespace Cry.Cli.Commands;

/// <summary><c>cry tsi</c>: one time-series imaging transform of a 1-D series, with pyts's parameters and results.</summary>
internal static class TsiCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var options = new TsiOptions();
        var input = new Argument<string>("INPUT.npy") { Description = "The 1-D series (float32 or float64 .npy)." };
        var outputPath = new Argument<string>("OUTPUT.npy") { Description = "Where the float64 result is written." };
        var command = new Command("tsi", "Apply one time-series imaging transform to a 1-D series; the same numbers as pyts 0.13 with the same parameters.")
        {
            options.Method, options.Size, options.SampleRange, options.Overlapping, options.Bins, options.Strategy,
            options.Dimension, options.TimeDelay, options.Threshold, options.Percentage, input, outputPath,
        };
        command.SetAction(parse => Run(parse, options, parse.GetValue(input)!, parse.GetValue(outputPath)!));
        return command;
    }

    private static int Run(ParseResult parse, TsiOptions options, string inputPath, string outPath)
    {
        var (min, max) = ParseRange(parse.GetValue(options.SampleRange)!);
        var series = ReadSeries(inputPath);
        int n = series.Length;
        string method = parse.GetValue(options.Method)!;
        double[] result;
        int[] shape;
        try
        {
            if (method == "paa")
            {
                var paa = new PiecewiseAggregateApproximation(new() { OutputSize = parse.GetValue(options.Size) ?? n, Overlapping = parse.GetValue(options.Overlapping) });
                result = paa.Transform(series);
                shape = [result.Length];
            }
            else
            {
                var channel = Enum.Parse<ImageChannel>(method, ignoreCase: true);
                var transform = ImageFor(parse, options, channel, n, min, max).CreateTransform(channel);
                result = transform.Transform(series);
                int side = transform.OutputSize(n);
                shape = [side, side];
            }
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"{ex.Message.Split(" (Parameter", 2)[0]} (series length {n})", ex);
        }

        InputFiles.EnsureParentFolder(outPath);
        NpyFile.Write(outPath, result, shape);
        return ExitCodes.Success;
    }

    /// <summary>The command's parameters as a one-channel image spec, so the channel becomes a transform where a feature spec's does.</summary>
    private static ImageSpec ImageFor(ParseResult parse, TsiOptions options, ImageChannel channel, int n, double min, double max)
    {
        var image = new ImageSpec
        {
            Channels = [channel],
            Size = parse.GetValue(options.Size) ?? n,
            SampleRange = [min, max],
            Overlapping = parse.GetValue(options.Overlapping),
            Bins = parse.GetValue(options.Bins),
            Strategy = Enum.Parse<BinStrategy>(parse.GetValue(options.Strategy)!, ignoreCase: true),
            Dimension = parse.GetValue(options.Dimension),
            TimeDelay = parse.GetValue(options.TimeDelay),
            Percentage = parse.GetValue(options.Percentage),
        };
        if (channel != ImageChannel.Rp)
        {
            return image;
        }

        // rp ignores --size: its plot has a row per trajectory, as pyts's, which is the spec's rp with size n − (d − 1)τ
        // (its PAA step then keeps the series as it is). Below one trajectory the transform itself says what is wrong.
        long trajectories = n - ((long)(image.Dimension - 1) * image.TimeDelay);
        return image with
        {
            Size = (int)Math.Clamp(trajectories, 1, int.MaxValue),
            Threshold = ParseThreshold(parse.GetValue(options.Threshold)),
        };
    }

    private static double[] ReadSeries(string path)
    {
        var array = InputFiles.ReadNpy(path);
        bool oneD = array.Shape.Length == 1 || (array.Shape.Length == 2 && array.Shape[0] == 1);
        if (!oneD)
        {
            throw new BadInputException($"{path}: expected a 1-D series, got shape ({string.Join(", ", array.Shape)}).");
        }

        var series = array.ToDoubleArray();
        if (series.Length == 0)
        {
            throw new BadInputException($"{path}: the series is empty.");
        }

        int bad = Array.FindIndex(series, v => !double.IsFinite(v));
        if (bad >= 0)
        {
            throw new BadInputException($"{path}: value {bad} is {series[bad]}; the series must be finite.");
        }

        return series;
    }

    private static (double Min, double Max) ParseRange(string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double min)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double max))
        {
            throw new UsageException($"--sample-range must be MIN,MAX (e.g. --sample-range=-1,1), not '{text}'.");
        }

        if (!(min < max) || min < -1 || max > 1)
        {
            throw new UsageException($"--sample-range must satisfy -1 <= MIN < MAX <= 1, not {text}.");
        }

        return (min, max);
    }

    private static RecurrenceThresholdSetting? ParseThreshold(string? text) => text switch
    {
        null => null,
        "point" => new(RecurrenceThreshold.Point, 0),
        "distance" => new(RecurrenceThreshold.Distance, 0),
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) => new(RecurrenceThreshold.Value, v),
        _ => throw new UsageException($"--threshold must be 'point', 'distance' or a number, not '{text}'."),
    };

    /// <summary>The command's options, in the order help lists them.</summary>
    private sealed class TsiOptions
    {
        public TsiOptions()
        {
            Method.AcceptOnlyFromAmong("paa", "gasf", "gadf", "mtf", "rp");
            Strategy.AcceptOnlyFromAmong("quantile", "uniform", "normal");
        }

        public Option<string> Method { get; } = new("--method")
        {
            Description = "Transform: paa (piecewise aggregate approximation), gasf/gadf (Gramian angular summation/difference field), " +
                "mtf (Markov transition field), rp (recurrence plot).",
            Required = true,
        };

        public Option<int?> Size { get; } = new("--size")
        {
            Description = "Output length (paa) or image side (gasf, gadf, mtf), 1 to the series length. Default: the series length.",
        };

        public Option<string> SampleRange { get; } = new("--sample-range")
        {
            Description = "gasf/gadf: the range the series is scaled to, as MIN,MAX with -1 <= MIN < MAX <= 1; write it as --sample-range=-1,1.",
            DefaultValueFactory = _ => "-1,1",
        };

        public Option<bool> Overlapping { get; } = new("--overlapping") { Description = "paa/gasf/gadf/mtf: let the averaging segments overlap (pyts overlapping=True)." };

        public Option<int> Bins { get; } = new("--bins") { Description = "mtf: number of bins, at least 2.", DefaultValueFactory = _ => 5 };

        public Option<string> Strategy { get; } = new("--strategy")
        {
            Description = "mtf: bin edges from quantiles of the series, uniform between its min and max, or standard normal quantiles.",
            DefaultValueFactory = _ => "quantile",
        };

        public Option<int> Dimension { get; } = new("--dimension") { Description = "rp: embedding dimension of the trajectories.", DefaultValueFactory = _ => 1 };

        public Option<int> TimeDelay { get; } = new("--time-delay") { Description = "rp: delay between the points of a trajectory.", DefaultValueFactory = _ => 1 };

        public Option<string?> Threshold { get; } = new("--threshold")
        {
            Description = "rp: 'point' (the --percentage percentile of all distances), 'distance' (--percentage % of the largest distance) " +
                "or a number; the plot is 1 where the distance is below it. Default: none, the plot holds the distances.",
        };

        public Option<double> Percentage { get; } = new("--percentage") { Description = "rp: percentage for --threshold point or distance, 0 to 100.", DefaultValueFactory = _ => 10 };
    }
}

using System.CommandLine;
using System.Globalization;
using Cry.Features.Imaging;
using Cry.Features.Npy;

namespace Cry.Cli.Commands;

/// <summary><c>cry tsi</c>: one time-series imaging transform of a 1-D series, with pyts's parameters and results.</summary>
internal static class TsiCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var method = new Option<string>("--method")
        {
            Description = "Transform: paa (piecewise aggregate approximation), gasf/gadf (Gramian angular summation/difference field), " +
                "mtf (Markov transition field), rp (recurrence plot).",
            Required = true,
        };
        method.AcceptOnlyFromAmong("paa", "gasf", "gadf", "mtf", "rp");
        var size = new Option<int?>("--size")
        {
            Description = "Output length (paa) or image side (gasf, gadf, mtf), 1 to the series length. Default: the series length.",
        };
        var sampleRange = new Option<string>("--sample-range")
        {
            Description = "gasf/gadf: the range the series is scaled to, as MIN,MAX with -1 <= MIN < MAX <= 1; write it as --sample-range=-1,1.",
            DefaultValueFactory = _ => "-1,1",
        };
        var overlapping = new Option<bool>("--overlapping") { Description = "paa/gasf/gadf/mtf: let the averaging segments overlap (pyts overlapping=True)." };
        var bins = new Option<int>("--bins") { Description = "mtf: number of bins, at least 2.", DefaultValueFactory = _ => 5 };
        var strategy = new Option<string>("--strategy")
        {
            Description = "mtf: bin edges from quantiles of the series, uniform between its min and max, or standard normal quantiles.",
            DefaultValueFactory = _ => "quantile",
        };
        strategy.AcceptOnlyFromAmong("quantile", "uniform", "normal");
        var dimension = new Option<int>("--dimension") { Description = "rp: embedding dimension of the trajectories.", DefaultValueFactory = _ => 1 };
        var timeDelay = new Option<int>("--time-delay") { Description = "rp: delay between the points of a trajectory.", DefaultValueFactory = _ => 1 };
        var threshold = new Option<string?>("--threshold")
        {
            Description = "rp: 'point' (the --percentage percentile of all distances), 'distance' (--percentage % of the largest distance) " +
                "or a number; the plot is 1 where the distance is below it. Default: none, the plot holds the distances.",
        };
        var percentage = new Option<double>("--percentage") { Description = "rp: percentage for --threshold point or distance, 0 to 100.", DefaultValueFactory = _ => 10 };
        var input = new Argument<string>("INPUT.npy") { Description = "The 1-D series (float32 or float64 .npy)." };
        var outputPath = new Argument<string>("OUTPUT.npy") { Description = "Where the float64 result is written." };

        var command = new Command("tsi", "Apply one time-series imaging transform to a 1-D series; the same numbers as pyts 0.13 with the same parameters.")
        {
            method, size, sampleRange, overlapping, bins, strategy, dimension, timeDelay, threshold, percentage, input, outputPath,
        };

        command.SetAction(parse =>
        {
            string inputPath = parse.GetValue(input)!;
            string outPath = parse.GetValue(outputPath)!;
            var (min, max) = ParseRange(parse.GetValue(sampleRange)!);
            var series = ReadSeries(inputPath);
            int n = series.Length;
            int s = parse.GetValue(size) ?? n;
            bool overlap = parse.GetValue(overlapping);
            double[] result;
            int[] shape;
            try
            {
                switch (parse.GetValue(method))
                {
                    case "paa":
                        result = new PiecewiseAggregateApproximation(new PiecewiseAggregateApproximationOptions { OutputSize = s, Overlapping = overlap }).Transform(series);
                        shape = [result.Length];
                        break;
                    case "gasf":
                    case "gadf":
                        result = new GramianAngularField(new GramianAngularFieldOptions
                        {
                            Size = s,
                            SampleMin = min,
                            SampleMax = max,
                            Overlapping = overlap,
                            Method = parse.GetValue(method) == "gasf" ? GramianAngularFieldMethod.Summation : GramianAngularFieldMethod.Difference,
                        }).Transform(series);
                        shape = [s, s];
                        break;
                    case "mtf":
                        result = new MarkovTransitionField(new MarkovTransitionFieldOptions
                        {
                            Size = s,
                            Bins = parse.GetValue(bins),
                            Strategy = Enum.Parse<BinStrategy>(parse.GetValue(strategy)!, ignoreCase: true),
                            Overlapping = overlap,
                        }).Transform(series);
                        shape = [s, s];
                        break;
                    default:
                        var (kind, value) = ParseThreshold(parse.GetValue(threshold));
                        var rp = new RecurrencePlot(new RecurrencePlotOptions
                        {
                            Dimension = parse.GetValue(dimension),
                            TimeDelay = parse.GetValue(timeDelay),
                            Threshold = kind,
                            ThresholdValue = value,
                            Percentage = parse.GetValue(percentage),
                        });
                        result = rp.Transform(series);
                        int m = rp.OutputSize(n);
                        shape = [m, m];
                        break;
                }
            }
            catch (ArgumentException ex)
            {
                throw new UsageException($"{ex.Message.Split(" (Parameter", 2)[0]} (series length {n})", ex);
            }

            InputFiles.EnsureParentFolder(outPath);
            NpyFile.Write(outPath, result, shape);
            return ExitCodes.Success;
        });
        return command;
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

    private static (RecurrenceThreshold Kind, double Value) ParseThreshold(string? text) => text switch
    {
        null => (RecurrenceThreshold.None, 0),
        "point" => (RecurrenceThreshold.Point, 0),
        "distance" => (RecurrenceThreshold.Distance, 0),
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) => (RecurrenceThreshold.Value, v),
        _ => throw new UsageException($"--threshold must be 'point', 'distance' or a number, not '{text}'."),
    };
}

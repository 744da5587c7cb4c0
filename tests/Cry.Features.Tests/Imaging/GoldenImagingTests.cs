using System.Globalization;
using System.Text.Json;
using Cry.Features.Imaging;
using Cry.Features.Npy;
using Cry.Features.Tests.Golden;

namespace Cry.Features.Tests.Imaging;

/// <summary>Every "tsi" case of the shared golden data (pyts 0.13 outputs), compared at the case's absolute tolerance.</summary>
public sealed class GoldenImagingTests
{
    private const string Absent = "(golden data absent)";

    public static TheoryData<string> TsiCaseIds()
    {
        var ids = new TheoryData<string>();
        foreach (GoldenCase golden in GoldenData.OfKind("tsi"))
        {
            ids.Add(golden.Id);
        }

        if (ids.Count == 0)
        {
            ids.Add(Absent);
        }

        return ids;
    }

    [Theory]
    [MemberData(nameof(TsiCaseIds))]
    public void Transform_GoldenCase_MatchesPyts(string id)
    {
        GoldenData.RequireDirectory();
        GoldenCase golden = GoldenData.Get(id);
        double[] input = NpyFile.Read(GoldenCase.PathOf(golden.Input.GetString()!)).ToDoubleArray();
        NpyArray expected = NpyFile.Read(GoldenCase.PathOf(golden.Expected.GetString()!));
        double atol = golden.Atol ?? 1e-6;

        (double[] actual, int[] shape) = Run(golden.Params, input);

        Assert.True(
            expected.Shape.SequenceEqual(shape),
            $"{id}: shape {Format(shape)} differs from expected {Format(expected.Shape)}.");
        double[] reference = expected.ToDoubleArray();
        int worst = 0;
        double worstDifference = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double difference = Math.Abs(actual[i] - reference[i]);
            if (!(difference <= worstDifference))
            {
                worst = i;
                worstDifference = difference;
            }
        }

        Assert.True(
            worstDifference <= atol,
            $"{id} ({golden.Params}): largest difference {worstDifference:G6} at flat index {worst} " +
            $"(expected {reference[worst]:R}, actual {actual[worst]:R}) exceeds atol {atol:G3}.");
    }

    private static (double[] Values, int[] Shape) Run(JsonElement parameters, double[] input)
    {
        string method = parameters.GetProperty("method").GetString()!;
        switch (method)
        {
            case "paa":
                {
                    var paa = new PiecewiseAggregateApproximation(new PiecewiseAggregateApproximationOptions
                    {
                        OutputSize = parameters.GetProperty("size").GetInt32(),
                        Overlapping = parameters.GetProperty("overlapping").GetBoolean(),
                    });
                    double[] values = paa.Transform(input);
                    return (values, [values.Length]);
                }

            case "gasf" or "gadf":
                {
                    int size = parameters.GetProperty("size").GetInt32();
                    JsonElement range = parameters.GetProperty("sampleRange");
                    var gaf = new GramianAngularField(new GramianAngularFieldOptions
                    {
                        Size = size,
                        SampleMin = range[0].GetDouble(),
                        SampleMax = range[1].GetDouble(),
                        Overlapping = parameters.GetProperty("overlapping").GetBoolean(),
                        Method = method == "gasf" ? GramianAngularFieldMethod.Summation : GramianAngularFieldMethod.Difference,
                    });
                    return (gaf.Transform(input), [size, size]);
                }

            case "mtf":
                {
                    int size = parameters.GetProperty("size").GetInt32();
                    var mtf = new MarkovTransitionField(new MarkovTransitionFieldOptions
                    {
                        Size = size,
                        Bins = parameters.GetProperty("bins").GetInt32(),
                        Strategy = parameters.GetProperty("strategy").GetString() switch
                        {
                            "quantile" => BinStrategy.Quantile,
                            "uniform" => BinStrategy.Uniform,
                            "normal" => BinStrategy.Normal,
                            string other => throw new InvalidDataException($"Unknown strategy '{other}'."),
                            null => throw new InvalidDataException("Missing strategy."),
                        },
                        Overlapping = parameters.GetProperty("overlapping").GetBoolean(),
                    });
                    return (mtf.Transform(input), [size, size]);
                }

            case "rp":
                {
                    JsonElement threshold = parameters.GetProperty("threshold");
                    var options = new RecurrencePlotOptions
                    {
                        Dimension = parameters.GetProperty("dimension").GetInt32(),
                        TimeDelay = parameters.GetProperty("timeDelay").GetInt32(),
                        Percentage = parameters.GetProperty("percentage").GetDouble(),
                        Threshold = threshold.ValueKind switch
                        {
                            JsonValueKind.Null => RecurrenceThreshold.None,
                            JsonValueKind.Number => RecurrenceThreshold.Value,
                            _ when threshold.GetString() == "point" => RecurrenceThreshold.Point,
                            _ when threshold.GetString() == "distance" => RecurrenceThreshold.Distance,
                            _ => throw new InvalidDataException($"Unknown threshold {threshold}."),
                        },
                        ThresholdValue = threshold.ValueKind == JsonValueKind.Number ? threshold.GetDouble() : 0,
                    };
                    var plot = new RecurrencePlot(options);
                    int m = plot.OutputSize(input.Length);
                    return (plot.Transform(input), [m, m]);
                }

            default:
                throw new InvalidDataException($"Unknown tsi method '{method}'.");
        }
    }

    private static string Format(int[] shape) =>
        "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
}

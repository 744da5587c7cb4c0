using System.CommandLine;
using System.Globalization;
using Cry.Training.Evaluation;

namespace Cry.Cli.Commands;

/// <summary><c>cry power</c>: how many test recordings of each need it takes to tell a balanced accuracy from chance.</summary>
internal static class PowerCommand
{
    public static Command Create(TextWriter output)
    {
        var needs = new Option<int>("--needs") { Description = "The number of needs (classes).", DefaultValueFactory = _ => 5 };
        var alpha = new Option<double>("--alpha") { Description = "One-sided significance level.", DefaultValueFactory = _ => 0.05 };
        var power = new Option<double>("--power") { Description = "The probability of detecting the target.", DefaultValueFactory = _ => 0.8 };
        var targets = new Option<double[]>("--targets") { Description = "Balanced accuracies to detect.", DefaultValueFactory = _ => [0.25, 0.30, 0.40], AllowMultipleArgumentsPerToken = true };
        var perNeed = new Option<int[]>("--per-need") { Description = "Recordings per need on hand: the smallest balanced accuracy each can tell from chance.", AllowMultipleArgumentsPerToken = true };
        var command = new Command(
            "power",
            "How many independent test recordings (app instances, not clips) of each need it takes to tell a balanced accuracy from chance (1/needs).")
        {
            needs, alpha, power, targets, perNeed,
        };
        command.SetAction(parse =>
        {
            int k = parse.GetValue(needs);
            double a = parse.GetValue(alpha), p = parse.GetValue(power);
            try
            {
                var rows = (parse.GetValue(targets) ?? []).Select(target => (Target: target, N: PowerAnalysis.RecordingsPerNeed(k, target, a, p))).ToList();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k} needs, chance balanced accuracy {1.0 / k:0.000}, one-sided α {a}, power {p}"));
                output.WriteLine("| balanced accuracy to detect | recordings per need | in all |");
                output.WriteLine("|---:|---:|---:|");
                foreach (var (target, n) in rows)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {target:0.00} | {n} | {n * k} |"));
                }

                if (parse.GetValue(perNeed) is { Length: > 0 } counts)
                {
                    output.WriteLine();
                    output.WriteLine("| recordings per need | rejects chance above | detects with power " + p.ToString(CultureInfo.InvariantCulture) + " |");
                    output.WriteLine("|---:|---:|---:|");
                    foreach (int n in counts)
                    {
                        double detectable = Enumerable.Range(1, 999).Select(i => (1.0 / k) + (i * (1 - (1.0 / k)) / 1000)).FirstOrDefault(b => PowerAnalysis.Power(k, n, b, a) >= p, double.NaN);
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {n} | {PowerAnalysis.CriticalBalancedAccuracy(k, n, a):0.000} | {detectable:0.000} |"));
                    }
                }
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new UsageException(ex.Message.Split(" (Parameter", 2)[0], ex);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}

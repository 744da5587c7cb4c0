using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cry.Training.Data;

namespace Cry.Cli.Commands;

/// <summary><c>cry audit</c>: a report on a labelled folder (duplicates across app instances, label mix, clips too short, clipped or silent).</summary>
internal static class AuditCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Argument<string>("DIR") { Description = "A folder of <label>/<recording> (the corpus layout)." };
        var outFolder = new Option<string?>("--out") { Description = "Write audit.md and audit.json there (default: print the report)." };
        var threshold = new Option<double>("--near-duplicate") { Description = "The correlation of log-mel envelopes from which two clips are near-duplicates.", DefaultValueFactory = _ => new DataAuditOptions().NearDuplicateCorrelation };
        var command = new Command("audit", "Audit a labelled folder: exact and near-duplicate recordings within and across app instances (with the app instances grouped evaluation must merge), the label mix per instance, and clips too short, clipped or silent.")
        {
            data, outFolder, threshold,
        };
        command.SetAction(parse =>
        {
            string folder = parse.GetValue(data)!;
            if (!Directory.Exists(folder))
            {
                throw new BadInputException($"{folder}: folder not found.");
            }

            double near = parse.GetValue(threshold);
            if (!(near > 0 && near <= 1))
            {
                throw new UsageException($"--near-duplicate must lie in (0, 1], not {near.ToString(CultureInfo.InvariantCulture)}.");
            }

            ClipDataset dataset;
            try
            {
                dataset = ClipDataset.FromFolder(folder);
            }
            catch (DatasetException ex)
            {
                throw new BadInputException($"{folder}: {ex.Message}", ex);
            }

            error.WriteLine($"cry: auditing {dataset.Count} clips of {dataset.Clips.Select(c => c.Group).Distinct().Count()} app instances");
            var report = DataAudit.Run(dataset, new DataAuditOptions { NearDuplicateCorrelation = near });
            string markdown = Markdown(report, folder);
            if (parse.GetValue(outFolder) is { } target)
            {
                Directory.CreateDirectory(target);
                File.WriteAllText(Path.Combine(target, "audit.md"), markdown);
                File.WriteAllText(Path.Combine(target, "audit.json"), Json(report, folder));
                output.WriteLine($"audit: {Summary(report)} → {target}");
            }
            else
            {
                output.Write(markdown);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Summary(DataAuditReport report) => string.Create(
        CultureInfo.InvariantCulture,
        $"{report.Duplicates.Count(d => d.Exact)} exact and {report.Duplicates.Count(d => !d.Exact)} near-duplicate pairs ({report.Duplicates.Count(d => d.AcrossGroups)} across app instances, {report.GroupsToMerge.Count} sets of instances to merge), {report.MixedGroups.Count} instances with more than one label, {report.Clips.Count(c => c.Flags.Count > 0)} clips flagged");

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    private static string Markdown(DataAuditReport report, string root)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Data audit of {report.Clips.Count} clips");
        md.AppendLine();
        md.AppendLine(Summary(report) + ".");
        md.AppendLine();
        md.AppendLine("## Duplicates");
        md.AppendLine("| first | second | kind | correlation | offset | across app instances | labels differ |");
        md.AppendLine("|---|---|---|---:|---:|---|---|");
        foreach (var d in report.Duplicates)
        {
            md.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {Relative(root, d.First.Path)} | {Relative(root, d.Second.Path)} | {(d.Exact ? "exact" : "near")} | {d.Correlation:0.000} | {d.OffsetSeconds:0.00} s | {(d.AcrossGroups ? "**yes**" : "no")} | {(d.LabelsDiffer ? "**yes**" : "no")} |"));
        }

        md.AppendLine();
        md.AppendLine("## App instances that grouped evaluation must merge");
        foreach (var set in report.GroupsToMerge)
        {
            md.AppendLine($"- {string.Join(", ", set)}");
        }

        md.AppendLine();
        md.AppendLine("## App instances with more than one label");
        foreach (var (group, labels) in report.MixedGroups)
        {
            md.AppendLine($"- {group}: {string.Join(", ", labels.Select(l => $"{l.Key} {l.Value}"))}");
        }

        md.AppendLine();
        md.AppendLine("## Clips flagged");
        md.AppendLine("| clip | flags | duration | clipped share | RMS |");
        md.AppendLine("|---|---|---:|---:|---:|");
        foreach (var c in report.Clips.Where(c => c.Flags.Count > 0))
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {Relative(root, c.Clip.Path)} | {string.Join(", ", c.Flags)} | {c.DurationSeconds:0.00} s | {c.ClippedShare:0.0000} | {c.RmsDbfs:0.0} dBFS |"));
        }

        return md.ToString();
    }

    private static string Json(DataAuditReport report, string root) => JsonSerializer.Serialize(
        new
        {
            clips = report.Clips.Count,
            duplicates = report.Duplicates.Select(d => new { first = Relative(root, d.First.Path), second = Relative(root, d.Second.Path), exact = d.Exact, correlation = d.Correlation, offsetSeconds = d.OffsetSeconds, acrossGroups = d.AcrossGroups, labelsDiffer = d.LabelsDiffer }),
            groupsToMerge = report.GroupsToMerge,
            mixedGroups = report.MixedGroups,
            flagged = report.Clips.Where(c => c.Flags.Count > 0).Select(c => new { clip = Relative(root, c.Clip.Path), flags = c.Flags, durationSeconds = Finite(c.DurationSeconds), clippedShare = Finite(c.ClippedShare), rmsDbfs = Finite(c.RmsDbfs) }),
        },
        new JsonSerializerOptions { WriteIndented = true });

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

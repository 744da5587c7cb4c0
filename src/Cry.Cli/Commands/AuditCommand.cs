using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cry.Training.Data;
using Cry.Training.Detection;

namespace Cry.Cli.Commands;

/// <summary><c>cry audit</c>: a report on a labelled folder (duplicates across app instances, label mix, clips too short, clipped or silent).</summary>
internal static class AuditCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Argument<string>("DIR") { Description = "A folder of <label>/<recording> (the corpus layout)." };
        var outFolder = new Option<string?>("--out") { Description = "Write audit.md and audit.json there (default: print the report)." };
        var threshold = new Option<double>("--near-duplicate") { Description = "The correlation of log-mel envelopes from which two clips are near-duplicates.", DefaultValueFactory = _ => new DataAuditOptions().NearDuplicateCorrelation };
        var detectorData = new Option<string[]>("--detector-data")
        {
            Description = "Folders of non-cries and cries for the cry check (not_cry/ non-cries, every other sub-folder cries; may be repeated): the cry detector, trained with grouped folds, flags labelled clips it scores below the median non-cry out of fold. Runs when the data or these folders have not_cry/.",
        };
        var threads = new Option<int>("--threads") { Description = "Parallel decoders of the cry check.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("audit", "Audit a labelled folder: exact and near-duplicate recordings within and across app instances (with the app instances grouped evaluation must merge), the label mix per instance, clips too short, clipped or silent, and (with non-cries) clips the cry detector scores like non-cries out of fold.")
        {
            data, outFolder, threshold, detectorData, threads,
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
            var extra = TrainingArguments.LoadDetectorFolders(parse.GetValue(detectorData) ?? []);
            DetectorAuditResult? cryCheck = null;
            if (dataset.DetectorClips.Concat(extra).Any(c => c.Label == ReservedLabels.NotCry))
            {
                error.WriteLine($"cry: cry check: the cry detector out of fold on {dataset.Count + dataset.DetectorClips.Count + extra.Count} recordings");
                try
                {
                    cryCheck = DetectorAudit.Run(dataset, extra, threads: Math.Max(1, parse.GetValue(threads)), skipped: (path, reason) => error.WriteLine($"cry: cry check skipped {path}: {reason}"));
                }
                catch (DatasetException ex)
                {
                    throw new BadInputException($"cry check: {ex.Message}", ex);
                }

                var flagged = cryCheck.Flags.Select(f => f.Clip.ClipId).ToHashSet(StringComparer.Ordinal);
                report = report with
                {
                    Clips = [.. report.Clips.Select(c => flagged.Contains(c.Clip.ClipId) ? c with { Flags = [.. c.Flags, DetectorNonCryFlag] } : c)],
                };
            }

            string markdown = Markdown(report, folder, cryCheck);
            if (parse.GetValue(outFolder) is { } target)
            {
                Directory.CreateDirectory(target);
                File.WriteAllText(Path.Combine(target, "audit.md"), markdown);
                File.WriteAllText(Path.Combine(target, "audit.json"), Json(report, folder, cryCheck));
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

    /// <summary>The flag of a labelled clip that the cry detector scores like a non-cry.</summary>
    public const string DetectorNonCryFlag = "detector-non-cry";

    private static string Summary(DataAuditReport report) => string.Create(
        CultureInfo.InvariantCulture,
        $"{report.Duplicates.Count(d => d.Exact)} exact and {report.Duplicates.Count(d => !d.Exact)} near-duplicate pairs ({report.Duplicates.Count(d => d.AcrossGroups)} across app instances, {report.GroupsToMerge.Count} sets of instances to merge), {report.MixedGroups.Count} instances with more than one label, {report.Clips.Count(c => c.Flags.Count > 0)} clips flagged");

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    private static string Markdown(DataAuditReport report, string root, DetectorAuditResult? cryCheck)
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
        md.AppendLine("## Is every clip a cry?");
        if (cryCheck is null)
        {
            md.AppendLine("Not checked: there are no non-cries (a not_cry/ folder in the data or in --detector-data) to train the cry detector on.");
        }
        else
        {
            md.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"The cry detector, trained with grouped 5-fold on {cryCheck.Cries} cries and {cryCheck.NonCries} non-cries (out-of-fold AUC {cryCheck.Auc:0.000}), scores **{cryCheck.Flags.Count}** labelled clips below the median non-cry ({cryCheck.Bar:0.000}), each by the fold model that did not see its app instance; they are flagged `{DetectorNonCryFlag}`: listen to them before trusting their labels."));
            md.AppendLine();
            md.AppendLine("| clip | label | out-of-fold detector score |");
            md.AppendLine("|---|---|---:|");
            foreach (var f in cryCheck.Flags)
            {
                md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {Relative(root, f.Clip.Path)} | {f.Clip.Label} | {f.Score:0.000} |"));
            }
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

    private static string Json(DataAuditReport report, string root, DetectorAuditResult? cryCheck) => JsonSerializer.Serialize(
        new
        {
            clips = report.Clips.Count,
            duplicates = report.Duplicates.Select(d => new { first = Relative(root, d.First.Path), second = Relative(root, d.Second.Path), exact = d.Exact, correlation = d.Correlation, offsetSeconds = d.OffsetSeconds, acrossGroups = d.AcrossGroups, labelsDiffer = d.LabelsDiffer }),
            groupsToMerge = report.GroupsToMerge,
            mixedGroups = report.MixedGroups,
            cryCheck = cryCheck is null ? null : new { cries = cryCheck.Cries, nonCries = cryCheck.NonCries, auc = cryCheck.Auc, bar = cryCheck.Bar, flagged = cryCheck.Flags.Select(f => new { clip = Relative(root, f.Clip.Path), label = f.Clip.Label, score = f.Score }) },
            flagged = report.Clips.Where(c => c.Flags.Count > 0).Select(c => new { clip = Relative(root, c.Clip.Path), flags = c.Flags, durationSeconds = Finite(c.DurationSeconds), clippedShare = Finite(c.ClippedShare), rmsDbfs = Finite(c.RmsDbfs) }),
        },
        new JsonSerializerOptions { WriteIndented = true });

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Audio.Augmentation;
using Cry.Cli.Experiments;
using Cry.Inference.Embeddings;
using Cry.Training.Data;
using Cry.Training.Evaluation;
using Cry.Training.LinearModels;
using Cry.Training.Reports;
using Cry.Training.Torch;
using Cry.Training.Torch.Experiments;
using Cry.Training.Torch.Models;

namespace Cry.Cli.Commands;

/// <summary>The stored result of one grid cell: <c>OUT/cells/{id}.json</c>.</summary>
internal sealed record GridCellResult
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("signature")]
    public required string Signature { get; init; }

    [JsonPropertyName("specId")]
    public required string SpecId { get; init; }

    [JsonPropertyName("channels")]
    public required string Channels { get; init; }

    [JsonPropertyName("size")]
    public required int Size { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("clips")]
    public required int Clips { get; init; }

    [JsonPropertyName("trainingShare")]
    public double TrainingShare { get; init; } = 1;

    [JsonPropertyName("repeat")]
    public int Repeat { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("macroF1")]
    public required ConfidenceInterval MacroF1 { get; init; }

    [JsonPropertyName("balancedAccuracy")]
    public required ConfidenceInterval BalancedAccuracy { get; init; }

    [JsonPropertyName("logLoss")]
    public double? LogLoss { get; init; }

    [JsonPropertyName("foldMacroF1")]
    public required MeanStd FoldMacroF1 { get; init; }

    [JsonPropertyName("foldBalancedAccuracy")]
    public required MeanStd FoldBalancedAccuracy { get; init; }

    [JsonPropertyName("trainingSeconds")]
    public required double TrainingSeconds { get; init; }

    [JsonPropertyName("baselines")]
    public required BaselineMetrics[] Baselines { get; init; }

    /// <summary>Every clip's pooled out-of-fold probabilities, for ensembles of cells (null in cells stored before they were kept).</summary>
    [JsonPropertyName("predictions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OutOfFoldPredictions? Predictions { get; init; }
}

/// <summary>
/// <c>cry experiment</c>: every cell of a grid file through the product's grouped cross-validation, with one comparison
/// table (Markdown and CSV) and a figure. Features are cached per spec id and shared between cells; each finished cell is
/// stored, so a run that is stopped continues where it stopped.
/// </summary>
internal static class ExperimentCommand
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var grid = new Option<string>("--grid") { Description = "The grid file (JSON): folds, seed, training settings, and configurations (a spec file or preset × sizes × networks); see docs/grids/.", Required = true };
        var data = new Option<string>("--data") { Description = "A folder of <label>/<recording> (the corpus layout).", Required = true };
        var outFolder = new Option<string>("--out") { Description = "The output folder: grid.md, grid.csv, grid.png and cells/{id}.json (kept, so a stopped run continues).", Required = true };
        var device = new Option<string>("--device") { Description = "auto (CUDA when present, else CPU), cpu or cuda.", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads") { Description = "CPU threads for feature extraction and training (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cache = new Option<string?>("--cache") { Description = "Feature cache folder (tensors per spec id), shared by the cells. Default: <out>/cache." };
        var only = new Option<string[]>("--only") { Description = "Run only the cells whose id starts with one of these (the table still shows every stored cell).", AllowMultipleArgumentsPerToken = true };
        var excludeAudit = new Option<string?>("--exclude-audit") { Description = "An audit.json of `cry audit`: leave out its flagged clips and second copies of duplicates, and merge the app instances it says to merge." };
        var list = new Option<bool>("--list") { Description = "List the grid's cells, each done or to run, and run nothing." };
        var nested = new Option<bool>("--nested") { Description = "Instead of the table: nested cross-validation of choosing among the grid's cells (2 to 6) by the log-loss of inner grouped folds; writes nested.md and nested.json (not resumable)." };
        var resnet18 = new Option<string?>("--resnet18") { Description = "The ImageNet ResNet18 ONNX of embedding cells (default: where infra/get-resnet18.sh puts it in the NuGet cache)." };
        var innerFolds = new Option<int>("--inner-folds") { Description = "Inner folds of --nested (every need needs that many app instances in each outer training part).", DefaultValueFactory = _ => 4 };
        var command = new Command(
            "experiment",
            "Run a grid of configurations (feature spec × image size × network) through grouped cross-validation and write one comparison table with 95 % intervals.")
        {
            grid, data, outFolder, device, threads, cache, only, list, excludeAudit, nested, innerFolds, resnet18,
        };
        command.SetAction(parse =>
        {
            var (file, cells) = ExperimentGrid.Load(parse.GetValue(grid)!);
            string deviceName = parse.GetValue(device)!;
            TrainingArguments.CheckDevice(deviceName);
            var dataset = TrainingArguments.LoadDataset(parse.GetValue(data)!, parse.GetValue(excludeAudit), error);
            string outPath = parse.GetValue(outFolder)!;
            var run = new GridRun(
                file,
                cells,
                dataset,
                DataSignature(dataset, parse.GetValue(excludeAudit)),
                Path.Combine(outPath, "cells"),
                parse.GetValue(cache) ?? Path.Combine(outPath, "cache"),
                deviceName,
                parse.GetValue(threads),
                parse.GetValue(resnet18));
            Directory.CreateDirectory(run.CellsFolder);
            string[] prefixes = parse.GetValue(only) ?? [];
            if (parse.GetValue(list))
            {
                ListCells(run, output);
                return ExitCodes.Success;
            }

            if (parse.GetValue(nested))
            {
                var chosen = prefixes.Length == 0 ? cells : [.. cells.Where(c => prefixes.Any(p => c.Id.StartsWith(p, StringComparison.Ordinal)))];
                return RunNested(chosen, file, dataset, run.CacheFolder, deviceName, run.Threads, parse.GetValue(innerFolds), run.ResNet18, outPath, output, error);
            }

            var results = RunCells(run, prefixes, error);
            int missing = cells.Count - results.Count;
            WriteTable(outPath, results, missing);
            output.WriteLine($"experiment: {results.Count} of {cells.Count} cells → {Path.Combine(outPath, "grid.md")}{(missing > 0 ? $" ({missing} not run: see --only)" : string.Empty)}");
            return ExitCodes.Success;
        });
        return command;
    }

    // What one run of a grid works with; Exclusion is appended to every cell's signature (the audit and the data).
    private sealed record GridRun(
        GridFile File, IReadOnlyList<GridCell> Cells, ClipDataset Dataset, string Exclusion, string CellsFolder, string CacheFolder, string Device, int Threads, string? ResNet18)
    {
        public string ResultPath(GridCell cell) => Path.Combine(CellsFolder, cell.Id + ".json");

        public string Signature(GridCell cell) => cell.Signature(File.Folds, File.Seed) + Exclusion;
    }

    // The audit excluded (by its hash) and the data itself are part of every cell's signature: another corpus, or a clip
    // moved to another label, is run again.
    private static string DataSignature(ClipDataset dataset, string? auditFile)
    {
        string exclusion = auditFile is not null
            ? "|audit " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(auditFile)))[..16]
            : string.Empty;
        return exclusion + "|data " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(
            '\n', dataset.Clips.Select(c => $"{c.ClipId}\t{c.Label}\t{c.Group}").Order(StringComparer.Ordinal)))))[..16];
    }

    private static void ListCells(GridRun run, TextWriter output)
    {
        foreach (var cell in run.Cells)
        {
            if (cell.IsEnsemble)
            {
                output.WriteLine($"{cell.Id}\tcomputed from its members\tensemble of {string.Join(", ", cell.Members!)}");
                continue;
            }

            bool done = TryReadResult(run.ResultPath(cell)) is { } r && r.Signature == run.Signature(cell) && r.Clips == run.Dataset.Count;
            output.WriteLine($"{cell.Id}\t{(done ? "done" : "to run")}\tfeatures {(cell.IsVector ? $"{cell.Vector} of " : string.Empty)}{cell.Spec.Id}");
        }
    }

    // Every cell in order: an ensemble from the results before it, a stored result whose signature still holds, or a run
    // (only cells matching --only when given); each run's result is stored as soon as it is done.
    private static List<GridCellResult> RunCells(GridRun run, string[] prefixes, TextWriter error)
    {
        var cells = run.Cells;
        var results = new List<GridCellResult>();
        for (int i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            string resultPath = run.ResultPath(cell);
            if (cell.IsEnsemble)
            {
                if (Ensemble(cell, results, run.File, error) is { } pooled)
                {
                    File.WriteAllText(resultPath, JsonSerializer.Serialize(pooled, s_json));
                    results.Add(pooled);
                }

                continue;
            }

            string signature = run.Signature(cell);
            if (TryReadResult(resultPath) is { } stored && stored.Signature == signature && stored.Clips == run.Dataset.Count)
            {
                error.WriteLine($"cry: cell {i + 1}/{cells.Count} {cell.Id}: done before, kept ({resultPath})");
                results.Add(stored with { Name = cell.Name, TrainingShare = cell.Share, Repeat = cell.Repeat });
                continue;
            }

            if (prefixes.Length > 0 && !prefixes.Any(p => cell.Id.StartsWith(p, StringComparison.Ordinal)))
            {
                continue;
            }

            error.WriteLine($"cry: cell {i + 1}/{cells.Count} {cell.Id}: features {(cell.IsVector ? $"{cell.Vector} of " : string.Empty)}{cell.Spec.Id}, {cell.Model}");
            var result = RunCell(cell, signature, run.File, run.Dataset, run.CacheFolder, run.Device, run.Threads, run.ResNet18, error);
            File.WriteAllText(resultPath, JsonSerializer.Serialize(result, s_json));
            results.Add(result);
            error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"cry: cell {i + 1}/{cells.Count} {cell.Id}: macro-F1 {result.MacroF1.Estimate:0.000} [{result.MacroF1.Lower:0.000}, {result.MacroF1.Upper:0.000}], balanced accuracy {result.BalancedAccuracy.Estimate:0.000} in {result.TrainingSeconds:0} s"));
        }

        return results;
    }

    private static GridCellResult? TryReadResult(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<GridCellResult>(File.ReadAllText(path), s_json) : null;
        }
        catch (JsonException)
        {
            return null; // A result cut off by a stop mid-write: the cell runs again.
        }
    }

    /// <summary>At most this many candidates for --nested (each costs a cross-validation per outer fold).</summary>
    private const int MaxNestedCandidates = 6;

    private static int RunNested(
        IReadOnlyList<GridCell> cells, GridFile file, ClipDataset dataset, string cacheFolder, string device, int threads, int innerFolds, string? resnet18, string outPath, TextWriter output, TextWriter error)
    {
        if (cells.Count is < 2 or > MaxNestedCandidates)
        {
            throw new UsageException($"--nested chooses among 2 to {MaxNestedCandidates} cells; the grid (with --only) has {cells.Count}.");
        }

        if (cells.FirstOrDefault(c => c.IsVector || c.IsEnsemble) is { } vectorCell)
        {
            throw new UsageException($"--nested chooses among networks; {vectorCell.Id} is {(vectorCell.IsEnsemble ? "an ensemble" : $"a {vectorCell.Vector}")} cell (leave it out with --only).");
        }

        if (cells.Any(c => c.Share < 1))
        {
            throw new UsageException("--nested needs cells that train on all their folds' app instances (no trainingShares below 1).");
        }

        if (innerFolds < 2)
        {
            throw new UsageException("--inner-folds must be at least 2.");
        }

        var candidates = cells.Select(c => new NestedCandidate(c.Id, CellFeatures(c, dataset, cacheFolder, threads), CellOptions(c, file, device, threads, resnet18))).ToList();
        var watch = Stopwatch.StartNew();
        NestedResult result;
        try
        {
            result = NestedCrossValidation.Run(candidates, innerFolds, new BootstrapOptions { Seed = (ulong)file.Seed }, line => error.WriteLine($"cry: {line}"));
        }
        catch (Exception ex) when (ex is DatasetException or InvalidDataException)
        {
            throw new BadInputException($"nested cross-validation: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new BadInputException($"nested cross-validation: {ex.Message.Split(" (Parameter", 2)[0]}", ex);
        }

        Directory.CreateDirectory(outPath);
        File.WriteAllText(Path.Combine(outPath, "nested.json"), JsonSerializer.Serialize(result, s_json));
        File.WriteAllText(Path.Combine(outPath, "nested.md"), NestedMarkdown(result, file.Folds, innerFolds, watch.Elapsed.TotalSeconds));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"experiment: nested {file.Folds}×{innerFolds}-fold over {cells.Count} cells: log-loss {result.LogLoss:0.000}, macro-F1 {result.Report.MacroF1:0.000}; the inner choice agreed in {result.Agreement} of {file.Folds} outer folds → {Path.Combine(outPath, "nested.md")}"));
        return ExitCodes.Success;
    }

    private static string NestedMarkdown(NestedResult result, int outerFolds, int innerFolds, double seconds)
    {
        var md = new StringBuilder();
        var ci = result.Report.ConfidenceIntervals;
        md.AppendLine("# Nested cross-validation: choosing a configuration").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Outer grouped {outerFolds}-fold; in each outer fold, inner grouped {innerFolds}-fold cross-validation on its training part scores every candidate by log-loss and the lowest is chosen; the outer test part is scored by the chosen candidate's model. ");
        md.AppendLine("This measures the **procedure** of choosing, not the configuration it picks: the outer folds may pick different ones.").AppendLine();
        md.AppendLine("| outer fold | chosen | " + string.Join(" | ", result.Candidates.Select(c => $"inner log-loss {c}")) + " |");
        md.AppendLine("|---|---|" + string.Concat(result.Candidates.Select(_ => "---:|")));
        foreach (var choice in result.Choices)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {choice.OuterFold + 1} | {choice.Chosen} | {string.Join(" | ", choice.InnerLogLoss.Select(F))} |");
        }

        md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"The inner choice agreed in **{result.Agreement} of {outerFolds}** outer folds.").AppendLine();
        md.AppendLine("| predictor (outer folds) | log-loss | macro-F1 [95 % CI] | balanced accuracy | log-loss gain of choosing [95 % CI] | macro-F1 gain of choosing [95 % CI] |");
        md.AppendLine("|---|---:|---|---:|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| **the choosing procedure** | {F(result.LogLoss)} | {F(result.Report.MacroF1)} [{F(ci?.MacroF1.Lower ?? double.NaN)}, {F(ci?.MacroF1.Upper ?? double.NaN)}] | {F(result.Report.BalancedAccuracy)} | | |");
        for (int c = 0; c < result.Candidates.Count; c++)
        {
            var report = result.CandidateReports[c];
            var ll = result.LogLossGain[c];
            var f1 = result.MacroF1Gain[c];
            var rci = report.ConfidenceIntervals;
            md.AppendLine(CultureInfo.InvariantCulture, $"| always {result.Candidates[c]} | {F(report.LogLoss ?? double.NaN)} | {F(report.MacroF1)} [{F(rci?.MacroF1.Lower ?? double.NaN)}, {F(rci?.MacroF1.Upper ?? double.NaN)}] | {F(report.BalancedAccuracy)} | {F(ll.Estimate)} [{F(ll.Lower)}, {F(ll.Upper)}]{Sign(ll)} | {F(f1.Estimate)} [{F(f1.Lower)}, {F(f1.Upper)}]{Sign(f1)} |");
        }

        md.AppendLine().AppendLine("Gains are the procedure against always using one candidate, on the same outer predictions, with intervals from resampling app instances (paired). ");
        md.AppendLine("**> 0**: choosing is better beyond resampling noise; **< 0**: worse. A configuration should replace another only when the gain's interval excludes zero.").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run time: {Duration(seconds)}.");
        return md.ToString();
    }

    private static string Sign(ChoiceGain gain) => gain.Better ? " **> 0**" : gain.Worse ? " **< 0**" : string.Empty;

    /// <summary>The cross-validation options of a cell.</summary>
    private static ExperimentOptions CellOptions(GridCell cell, GridFile file, string device, int threads, string? resnet18)
    {
        var training = cell.Training;
        string? pretrained = cell.Model == ResNet18.Name ? ResNet18File(resnet18, cell.Id) : null;
        try
        {
            return new ExperimentOptions
            {
                Folds = file.Folds,
                Seed = (ulong)file.Seed,
                TrainingGroupShare = cell.Share,
                SubsampleSeed = (ulong)cell.Repeat,
                Training = new TrainingOptions
                {
                    Model = cell.Model,
                    Epochs = training.Epochs!.Value,
                    BatchSize = training.BatchSize!.Value,
                    LearningRate = training.LearningRate!.Value,
                    Patience = training.Patience!.Value,
                    StopOn = TrainingArguments.StopRule(training.StopOn),
                    MaskShare = training.MaskShare ?? 0,
                    MixupAlpha = training.Mixup ?? 0,
                    PretrainedWeights = pretrained,
                    Seed = file.Seed,
                    Device = device,
                    Threads = threads,
                },
            };
        }
        catch (ArgumentException ex)
        {
            throw new BadInputException($"{cell.Id}: {ex.Message.Split(" (Parameter", 2)[0]}", ex);
        }
    }

    private static FeaturizedDataset CellFeatures(GridCell cell, ClipDataset dataset, string cacheFolder, int threads)
    {
        try
        {
            return FeaturizedDataset.Compute(dataset, cell.Spec, cell.Training.Augment == false ? AugmentationPolicy.None : AugmentationPolicy.Research, cacheFolder, threads);
        }
        catch (DatasetException ex)
        {
            throw new BadInputException($"{cell.Id}: {ex.Message}", ex);
        }
    }

    private static GridCellResult RunCell(
        GridCell cell, string signature, GridFile file, ClipDataset dataset, string cacheFolder, string device, int threads, string? resnet18, TextWriter error)
    {
        if (cell.IsVector)
        {
            return RunVectorCell(cell, signature, file, dataset, cacheFolder, threads, resnet18, error);
        }

        var features = CellFeatures(cell, dataset, cacheFolder, threads);
        var options = CellOptions(cell, file, device, threads, resnet18);
        var watch = Stopwatch.StartNew();
        CrossValidationResult run;
        try
        {
            var view = TrainingProgressView.Create(error);
            run = view.Run(() => CrossValidation.Run(features, options, view.Log, view));
        }
        catch (DatasetException ex)
        {
            throw new BadInputException($"{cell.Id}: {ex.Message}", ex);
        }
        catch (InvalidDataException ex) when (options.Training.PretrainedWeights is not null)
        {
            throw new BadInputException($"{cell.Id}: {ex.Message}", ex);
        }

        return Scored(cell, run.Report, Predictions(features.Dataset, run.Actual, run.Probabilities)) with
        {
            Signature = signature,
            Channels = string.Join('+', cell.Spec.Image!.Channels).ToLowerInvariant(),
            Clips = dataset.Count,
            TrainingShare = cell.Share,
            Repeat = cell.Repeat,
            TrainingSeconds = watch.Elapsed.TotalSeconds,
        };
    }

    /// <summary>A cell's result with the metrics of <paramref name="report"/>; the caller sets what else differs (signature, channels, clips, time).</summary>
    private static GridCellResult Scored(GridCell cell, MetricsReport report, OutOfFoldPredictions predictions) => new()
    {
        Id = cell.Id,
        Signature = string.Empty,
        SpecId = cell.Spec.Id,
        Channels = string.Empty,
        Size = cell.Spec.Image?.Size ?? 0,
        Model = cell.Model,
        Clips = predictions.Clips.Length,
        Name = cell.Name,
        MacroF1 = report.ConfidenceIntervals?.MacroF1 ?? new ConfidenceInterval(report.MacroF1, double.NaN, double.NaN),
        BalancedAccuracy = report.ConfidenceIntervals?.BalancedAccuracy ?? new ConfidenceInterval(report.BalancedAccuracy, double.NaN, double.NaN),
        LogLoss = report.LogLoss,
        FoldMacroF1 = report.Folds?.MacroF1 ?? new MeanStd(double.NaN, double.NaN, 0),
        FoldBalancedAccuracy = report.Folds?.BalancedAccuracy ?? new MeanStd(double.NaN, double.NaN, 0),
        TrainingSeconds = 0,
        Baselines = report.Baselines,
        Predictions = predictions,
    };

    /// <summary>The pooled out-of-fold predictions of a cell, one row per clip of its dataset.</summary>
    private static OutOfFoldPredictions Predictions(ClipDataset clips, int[] actual, float[] probabilities) => new(
        [.. clips.Labels], [.. clips.Clips.Select(c => c.ClipId)], [.. clips.Clips.Select(c => c.Group)], actual, probabilities);

    /// <summary>
    /// An ensemble cell: the mean of its members' stored out-of-fold probabilities, scored like a cell; null (with a
    /// line saying why) while a member has not run or was stored without its predictions.
    /// </summary>
    private static GridCellResult? Ensemble(GridCell cell, IReadOnlyList<GridCellResult> results, GridFile file, TextWriter error)
    {
        var members = new List<GridCellResult>();
        foreach (string id in cell.Members!)
        {
            if (results.FirstOrDefault(r => r.Id == id) is not { } member)
            {
                error.WriteLine($"cry: {cell.Id}: not computed: its member {id} has not run (see --only).");
                return null;
            }

            if (member.Predictions is null)
            {
                error.WriteLine($"cry: {cell.Id}: not computed: {id} was stored without its predictions; delete its cells/{id}.json to run it again.");
                return null;
            }

            members.Add(member);
        }

        (MetricsReport Report, OutOfFoldPredictions Pooled) ensemble;
        try
        {
            ensemble = OutOfFoldEnsemble.Evaluate([.. members.Select(m => m.Predictions!)], file.Folds, (ulong)file.Seed);
        }
        catch (ArgumentException ex)
        {
            throw new BadInputException($"{cell.Id}: {ex.Message.Split(" (Parameter", 2)[0]}", ex);
        }

        var report = ensemble.Report;
        error.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"cry: {cell.Id}: mean of {members.Count} cells' out-of-fold probabilities: macro-F1 {report.MacroF1:0.000}, balanced accuracy {report.BalancedAccuracy:0.000}"));
        return Scored(cell, report, ensemble.Pooled) with
        {
            Signature = string.Join('|', members.Select(m => m.Signature)),
            SpecId = string.Join('+', members.Select(m => m.SpecId).Distinct(StringComparer.Ordinal)),
            Channels = "mean of " + string.Join(" + ", members.Select(m => m.Id)),
            Size = 0,
            TrainingSeconds = members.Sum(m => m.TrainingSeconds),
        };
    }

    /// <summary>
    /// A vector cell: one vector per clip (the spec's acoustic functionals, or a pretrained network's embedding of its
    /// image), regularised multinomial logistic regression, the same grouped folds as the network cells.
    /// </summary>
    private static GridCellResult RunVectorCell(
        GridCell cell, string signature, GridFile file, ClipDataset dataset, string cacheFolder, int threads, string? resnet18, TextWriter error)
    {
        var watch = Stopwatch.StartNew();
        VectorCrossValidationResult run;
        string channels;
        ClipDataset clips;
        try
        {
            (clips, var vectors) = cell.Vector == ExperimentGrid.FunctionalsFeatures
                ? Functionals(cell, dataset, cacheFolder, threads, error)
                : Embeddings(cell, dataset, cacheFolder, threads, resnet18, error);
            channels = cell.Vector == ExperimentGrid.FunctionalsFeatures
                ? $"functionals ({vectors[0].Length})"
                : $"{cell.Vector} of {string.Join('+', cell.Spec.Image!.Channels).ToLowerInvariant()} ({vectors[0].Length})";
            clips.EnsureGroupedFolds(file.Folds);
            run = VectorCrossValidation.Run(
                vectors,
                clips.LabelIndices.ToArray(),
                clips.Groups,
                clips.Labels,
                new VectorCrossValidationOptions { Folds = file.Folds, Seed = (ulong)file.Seed },
                line => error.WriteLine($"cry: {cell.Id}: {line}"));
        }
        catch (DatasetException ex)
        {
            throw new BadInputException($"{cell.Id}: {ex.Message}", ex);
        }

        return Scored(cell, run.Report, Predictions(clips, run.Actual, run.Probabilities)) with
        {
            Signature = signature,
            Channels = channels,
            Clips = dataset.Count,
            TrainingSeconds = watch.Elapsed.TotalSeconds,
        };
    }

    private static (ClipDataset Clips, IReadOnlyList<float[]> Vectors) Functionals(GridCell cell, ClipDataset dataset, string cacheFolder, int threads, TextWriter error)
    {
        var vectors = ClipVectors.Functionals(dataset, cell.Spec, cacheFolder, threads);
        foreach (var skipped in vectors.Skipped)
        {
            error.WriteLine($"cry: {cell.Id}: skipped {skipped.Path}: {skipped.Reason}");
        }

        return (vectors.Dataset, vectors.Vectors);
    }

    /// <summary>The frozen ImageNet ResNet18 embedding (512 values) of every clip's feature image (the original, not its augmented variants).</summary>
    private static (ClipDataset Clips, IReadOnlyList<float[]> Vectors) Embeddings(
        GridCell cell, ClipDataset dataset, string cacheFolder, int threads, string? resnet18, TextWriter error)
    {
        string network = ResNet18File(resnet18, cell.Id);
        string preprocess = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(network))!, "..", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

        var images = CellFeatures(cell with { Training = cell.Training with { Augment = false } }, dataset, cacheFolder, threads);
        foreach (var skipped in images.Skipped)
        {
            error.WriteLine($"cry: {cell.Id}: skipped {skipped.Path}: {skipped.Reason}");
        }

        OnnxImageEmbedding embedding;
        try
        {
            embedding = new OnnxImageEmbedding(network, File.Exists(preprocess) ? preprocess : null, threads);
        }
        catch (InvalidDataException ex)
        {
            throw new BadInputException($"{cell.Id}: {ex.Message}", ex);
        }

        using (embedding)
        {
            int channels = images.Shape[0], size = images.Shape[1];
            var vectors = new float[images.Variants.Count][];
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < vectors.Length; i++)
            {
                vectors[i] = embedding.Embed(images.Variants[i][0], channels, size);
            }

            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cry: {cell.Id}: {vectors.Length} images embedded ({embedding.Dimension} values each) in {watch.Elapsed.TotalSeconds:0} s"));
            return (images.Dataset, vectors);
        }
    }

    /// <summary>The ImageNet ResNet18 ONNX file (<c>--resnet18</c>, else where infra/get-resnet18.sh puts it), which must exist.</summary>
    private static string ResNet18File(string? option, string cellId)
    {
        string network = option ?? DefaultResNet18();
        return File.Exists(network)
            ? network
            : throw new ResourceUnavailableException($"{cellId}: the ResNet18 network is not at {network}; run infra/get-resnet18.sh (it prints the path), or give --resnet18 PATH.");
    }

    /// <summary>Where infra/get-resnet18.sh leaves the network: the NuGet cache's Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0.</summary>
    private static string DefaultResNet18()
    {
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(cache, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.24.0", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
    }

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "—";

    private static void WriteTable(string folder, IReadOnlyList<GridCellResult> results, int missing)
    {
        var md = new StringBuilder();
        md.AppendLine("| cell | images | size | network | macro-F1 [95 % CI] | balanced accuracy [95 % CI] | fold macro-F1 mean ± sd | log-loss | training |");
        md.AppendLine("|---|---|---:|---|---|---|---|---:|---:|");
        var csv = new StringBuilder("cell,channels,size,model,training_share,repeat,spec_id,clips,macro_f1,macro_f1_lower,macro_f1_upper,balanced_accuracy,balanced_accuracy_lower,balanced_accuracy_upper,fold_macro_f1_mean,fold_macro_f1_sd,fold_balanced_accuracy_mean,fold_balanced_accuracy_sd,log_loss,training_seconds\n");
        foreach (var r in results)
        {
            md.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Id} | {r.Channels} | {(r.Size > 0 ? r.Size.ToString(CultureInfo.InvariantCulture) : "—")} | {r.Model} | {F(r.MacroF1.Estimate)} [{F(r.MacroF1.Lower)}, {F(r.MacroF1.Upper)}] | {F(r.BalancedAccuracy.Estimate)} [{F(r.BalancedAccuracy.Lower)}, {F(r.BalancedAccuracy.Upper)}] | {F(r.FoldMacroF1.Mean)} ± {F(r.FoldMacroF1.StandardDeviation)} | {F(r.LogLoss ?? double.NaN)} | {Duration(r.TrainingSeconds)} |"));
            csv.AppendLine(string.Join(',', new[]
            {
                r.Id, r.Channels, r.Size.ToString(CultureInfo.InvariantCulture), r.Model, R(r.TrainingShare), r.Repeat.ToString(CultureInfo.InvariantCulture), r.SpecId, r.Clips.ToString(CultureInfo.InvariantCulture),
                R(r.MacroF1.Estimate), R(r.MacroF1.Lower), R(r.MacroF1.Upper), R(r.BalancedAccuracy.Estimate), R(r.BalancedAccuracy.Lower), R(r.BalancedAccuracy.Upper),
                R(r.FoldMacroF1.Mean), R(r.FoldMacroF1.StandardDeviation), R(r.FoldBalancedAccuracy.Mean), R(r.FoldBalancedAccuracy.StandardDeviation),
                R(r.LogLoss ?? double.NaN), R(r.TrainingSeconds),
            }));
        }

        // The baselines are the data's, the same for every cell: the first cell's say them.
        if (results.FirstOrDefault()?.Baselines is { Length: > 0 } baselines)
        {
            md.AppendLine();
            foreach (var b in baselines)
            {
                md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Baseline {b.Name}: macro-F1 {F(b.MacroF1)}, balanced accuracy {F(b.BalancedAccuracy)}."));
            }
        }

        WriteLearningCurves(md, results);

        md.AppendLine();
        md.AppendLine("Intervals: bootstrap over the pooled out-of-fold predictions of each cell (grouped cross-validation); cells share folds and seed.");
        if (missing > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Not run yet: {missing} cells of the grid.");
        }

        File.WriteAllText(Path.Combine(folder, "grid.md"), md.ToString());
        File.WriteAllText(Path.Combine(folder, "grid.csv"), csv.ToString());
        if (results.Count > 0)
        {
            try
            {
                GridPlot.Write(
                [.. results.Select(r => new GridPlot.Row(r.Id, r.MacroF1, r.BalancedAccuracy))],
                results[0].Baselines,
                Path.Combine(folder, "grid.png"));
            }
            catch (InvalidOperationException ex)
            {
                // No font on this machine: the tables are written; the figure needs a font file.
                throw new ResourceUnavailableException($"grid.md and grid.csv are written, but the figure cannot be drawn: {ex.Message}", ex);
            }
        }
    }

    // Learning curves: cells that differ only in the share of training instances, averaged over their repeats, and the
    // slopes fitted over every subsample.
    private static void WriteLearningCurves(StringBuilder md, IReadOnlyList<GridCellResult> results)
    {
        var curves = results.GroupBy(r => (r.Name, r.Size, r.Model)).Where(g => g.Any(r => r.TrainingShare < 1)).ToList();
        if (curves.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("Learning curves (each share of the folds' training app instances; mean ± sd over its subsamples):");
        md.AppendLine();
        md.AppendLine("| configuration | training share | subsamples | macro-F1 | balanced accuracy | log-loss |");
        md.AppendLine("|---|---:|---:|---|---|---|");
        foreach (var curve in curves)
        {
            foreach (var point in curve.GroupBy(r => r.TrainingShare).OrderBy(p => p.Key))
            {
                md.AppendLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {curve.Key.Name}-{curve.Key.Size}-{curve.Key.Model} | {point.Key:0.##} | {point.Count()} | {Spread(point.Select(r => r.MacroF1.Estimate))} | {Spread(point.Select(r => r.BalancedAccuracy.Estimate))} | {Spread(point.Select(r => r.LogLoss ?? double.NaN))} |"));
            }
        }

        md.AppendLine();
        md.AppendLine("Slopes (least squares over every subsample, score per unit of training share, 95 % interval; the points share their test folds, so the interval is if anything too narrow). Extrapolated to twice the training instances only where the interval excludes zero:");
        md.AppendLine();
        md.AppendLine("| configuration | metric | points | slope [95 % CI] | at twice the instances |");
        md.AppendLine("|---|---|---:|---|---|");
        foreach (var curve in curves)
        {
            foreach (var (metric, score) in new (string, Func<GridCellResult, double>)[]
            {
                ("macro-F1", r => r.MacroF1.Estimate), ("balanced accuracy", r => r.BalancedAccuracy.Estimate), ("log-loss", r => r.LogLoss ?? double.NaN),
            })
            {
                if (LearningCurveSlope.Fit([.. curve.Select(r => (r.TrainingShare, score(r)))]) is not { } slope)
                {
                    continue;
                }

                md.AppendLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {curve.Key.Name}-{curve.Key.Size}-{curve.Key.Model} | {metric} | {slope.Points} | {F(slope.Slope)} [{F(slope.Lower)}, {F(slope.Upper)}] | {(slope.ExcludesZero ? F(slope.At(2)) : "— (no trend shown)")} |"));
            }
        }
    }

    private static string Spread(IEnumerable<double> values)
    {
        var stats = MeanStd.Of([.. values]);
        return stats.Count > 1 ? $"{F(stats.Mean)} ± {F(stats.StandardDeviation)}" : F(stats.Mean); // one subsample: no spread to show
    }

    private static string Duration(double seconds) => seconds < 120
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.0} min");

    private static string R(double value) => double.IsFinite(value) ? value.ToString("0.######", CultureInfo.InvariantCulture) : string.Empty;
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Features.Specs;
using Cry.Training.Data;
using Cry.Training.Torch;
using Cry.Training.Torch.Models;

namespace Cry.Cli.Experiments;

/// <summary>Training settings of a grid or of one of its configurations (unset values come from the grid, then the defaults).</summary>
internal sealed record GridTraining
{
    [JsonPropertyName("epochs")]
    public int? Epochs { get; init; }

    [JsonPropertyName("patience")]
    public int? Patience { get; init; }

    [JsonPropertyName("batchSize")]
    public int? BatchSize { get; init; }

    [JsonPropertyName("learningRate")]
    public double? LearningRate { get; init; }

    [JsonPropertyName("stopOn")]
    public string? StopOn { get; init; }

    [JsonPropertyName("augment")]
    public bool? Augment { get; init; }

    /// <summary>SpecAugment masking (see <see cref="TrainingOptions.MaskShare"/>); left out of the cell signature when unset.</summary>
    [JsonPropertyName("maskShare")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MaskShare { get; init; }

    /// <summary>mixup's α (see <see cref="TrainingOptions.MixupAlpha"/>); left out of the cell signature when unset.</summary>
    [JsonPropertyName("mixup")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Mixup { get; init; }

    /// <summary>These settings, with the unset ones taken from <paramref name="fallback"/>.</summary>
    public GridTraining Over(GridTraining? fallback) => fallback is null ? this : new GridTraining
    {
        Epochs = Epochs ?? fallback.Epochs,
        Patience = Patience ?? fallback.Patience,
        BatchSize = BatchSize ?? fallback.BatchSize,
        LearningRate = LearningRate ?? fallback.LearningRate,
        StopOn = StopOn ?? fallback.StopOn,
        Augment = Augment ?? fallback.Augment,
        MaskShare = MaskShare ?? fallback.MaskShare,
        Mixup = Mixup ?? fallback.Mixup,
    };
}

/// <summary>One entry of a grid file: a feature spec (file or preset) crossed with image sizes and networks.</summary>
internal sealed record GridConfiguration
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>A spec file, relative to the grid file.</summary>
    [JsonPropertyName("spec")]
    public string? Spec { get; init; }

    [JsonPropertyName("preset")]
    public string? Preset { get; init; }

    /// <summary>Image sizes to cross with (none: the spec's own size).</summary>
    [JsonPropertyName("sizes")]
    public int[]? Sizes { get; init; }

    /// <summary>Networks to cross with (none: the grid's model).</summary>
    [JsonPropertyName("models")]
    public string[]? Models { get; init; }

    [JsonPropertyName("training")]
    public GridTraining? Training { get; init; }

    /// <summary>Shares of each fold's training app instances to train on (a learning curve; none: all of them).</summary>
    [JsonPropertyName("trainingShares")]
    public double[]? TrainingShares { get; init; }

    /// <summary>Subsamples per share below 1, each with its own seed.</summary>
    [JsonPropertyName("repeats")]
    public int Repeats { get; init; } = 1;

    /// <summary>Each size also sets the number of mel bands (a mel-spectrogram image needs nMels ≥ its size).</summary>
    [JsonPropertyName("melsMatchSize")]
    public bool MelsMatchSize { get; init; }

    /// <summary>The spec's acoustic functionals (one vector per clip) with a vector model instead of its image with a network.</summary>
    [JsonPropertyName("functionals")]
    public bool Functionals { get; init; }

    /// <summary>A pretrained image network whose frozen embedding of the spec's image feeds a vector model (<c>resnet18</c>).</summary>
    [JsonPropertyName("embedding")]
    public string? Embedding { get; init; }

    /// <summary>Ids of other cells of the grid whose out-of-fold probabilities are averaged (an ensemble; no spec, no training).</summary>
    [JsonPropertyName("ensemble")]
    public string[]? Ensemble { get; init; }
}

/// <summary>A grid file: shared settings and the configurations whose cross-products are the cells.</summary>
internal sealed record GridFile
{
    [JsonPropertyName("folds")]
    public int Folds { get; init; } = 5;

    [JsonPropertyName("seed")]
    public long Seed { get; init; } = 1;

    [JsonPropertyName("model")]
    public string Model { get; init; } = ModelFactory.DefaultName;

    [JsonPropertyName("training")]
    public GridTraining? Training { get; init; }

    [JsonPropertyName("configurations")]
    public GridConfiguration[] Configurations { get; init; } = [];
}

/// <summary>One cell of the grid: a feature spec, a network and training settings, under a stable id.</summary>
/// <param name="Id">Name, size and network, e.g. <c>gasf-64-crynet-s</c>: the file name of its result.</param>
/// <param name="Name">The configuration's name.</param>
/// <param name="Spec">The feature spec (its image size set).</param>
/// <param name="Model">The network.</param>
/// <param name="Training">The training settings, complete.</param>
/// <param name="Share">The share of each fold's training app instances it trains on.</param>
/// <param name="Repeat">Which subsample of that share (0 when the share is 1).</param>
/// <param name="Vector">
/// Null for a network on the spec's image; <see cref="ExperimentGrid.FunctionalsFeatures"/> for a vector model on the
/// spec's acoustic functionals; an embedding name (<c>resnet18</c>) for a vector model on a pretrained network's
/// embedding of the image.
/// </param>
/// <param name="Members">For an ensemble, the ids of the cells whose out-of-fold probabilities it averages; else null.</param>
internal sealed record GridCell(string Id, string Name, FeatureSpec Spec, string Model, GridTraining Training, double Share = 1, int Repeat = 0, string? Vector = null, string[]? Members = null)
{
    /// <summary>Whether the cell trains a vector model (on functionals or an embedding) rather than a network.</summary>
    public bool IsVector => Vector is not null;

    /// <summary>Whether the cell is an ensemble of other cells (computed from their stored predictions, never trained).</summary>
    public bool IsEnsemble => Members is not null;

    /// <summary>What the cell's result depends on besides the data: a cached result with another signature is run again.</summary>
    public string Signature(int folds, long seed) => Vector == ExperimentGrid.FunctionalsFeatures
        ? JsonSerializer.Serialize(new { spec = Spec.Id, features = ClipVectors.FunctionalsVersion, model = Model, folds, seed })
        : Vector is not null
        ? JsonSerializer.Serialize(new { spec = Spec.Id, features = Vector, model = Model, folds, seed })
        : Share < 1
        ? JsonSerializer.Serialize(new { spec = Spec.Id, model = Model, training = Training, folds, seed, share = Share, repeat = Repeat })
        : JsonSerializer.Serialize(new { spec = Spec.Id, model = Model, training = Training, folds, seed });
}

/// <summary>Reads a grid file and expands it into cells.</summary>
internal static class ExperimentGrid
{
    private static readonly JsonSerializerOptions s_json = new() { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>The vector models a functionals or embedding configuration can name.</summary>
    public static IReadOnlyList<string> VectorModels { get; } = ["logistic"];

    /// <summary>The <see cref="GridCell.Vector"/> of a functionals cell.</summary>
    public const string FunctionalsFeatures = "functionals";

    /// <summary>The pretrained networks an embedding configuration can name.</summary>
    public static IReadOnlyList<string> Embeddings { get; } = ["resnet18"];

    /// <summary>The default training settings of a cell (those of <c>cry evaluate</c>).</summary>
    public static GridTraining Defaults { get; } = new() { Epochs = 40, Patience = 10, BatchSize = 32, LearningRate = 1e-3, StopOn = "macro-f1", Augment = true };

    /// <summary>Reads and expands the grid.</summary>
    /// <exception cref="BadInputException">The file cannot be read, is not a valid grid, or names a spec, preset, size or network that does not exist.</exception>
    public static (GridFile Grid, IReadOnlyList<GridCell> Cells) Load(string path)
    {
        var grid = Read(path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var cells = new List<GridCell>();
        var training = (grid.Training ?? new GridTraining()).Over(Defaults);
        var ensembles = new List<(GridConfiguration Configuration, string Where)>();
        foreach (var (configuration, index) in grid.Configurations.Select((c, i) => (c, i)))
        {
            string where = $"{path}: configuration {index + 1}";
            if (configuration.Ensemble is not null)
            {
                ensembles.Add((configuration, where));
                continue;
            }

            var spec = Spec(configuration, folder, where);
            string name = CheckName(configuration.Name ?? configuration.Preset ?? Path.GetFileNameWithoutExtension(configuration.Spec!), where);

            if (configuration.Functionals)
            {
                if (configuration.Embedding is not null)
                {
                    throw new BadInputException($"{where}: give \"functionals\" or \"embedding\", not both.");
                }

                cells.Add(FunctionalsCell(configuration, spec, name, where, training, cells));
                continue;
            }

            if (configuration.Embedding is { } embedding)
            {
                cells.AddRange(EmbeddingCells(configuration, spec, embedding, name, where, training, cells));
                continue;
            }

            cells.AddRange(NetworkCells(configuration, spec, name, where, training, grid.Model, cells));
        }

        foreach (var (configuration, where) in ensembles)
        {
            cells.Add(EnsembleCell(configuration, where, cells));
        }

        return (grid, cells);
    }

    private static GridFile Read(string path)
    {
        GridFile grid;
        try
        {
            grid = JsonSerializer.Deserialize<GridFile>(File.ReadAllText(path), s_json) ?? throw new BadInputException($"{path}: the grid is empty.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: the grid cannot be read: {ex.Message}", ex);
        }
        catch (JsonException ex)
        {
            throw new BadInputException($"{path}: not a valid grid: {ex.Message}", ex);
        }

        if (grid.Folds < 2)
        {
            throw new BadInputException($"{path}: folds must be at least 2, not {grid.Folds}.");
        }

        if (grid.Configurations.Length == 0)
        {
            throw new BadInputException($"{path}: the grid has no configurations.");
        }

        return grid;
    }

    // A configuration's spec: its preset, or its spec file relative to the grid file's folder.
    private static FeatureSpec Spec(GridConfiguration configuration, string folder, string where)
    {
        if ((configuration.Spec is null) == (configuration.Preset is null))
        {
            throw new BadInputException($"{where}: give exactly one of \"spec\" (a spec file) and \"preset\".");
        }

        try
        {
            return configuration.Preset is { } preset
                ? FeatureSpecPresets.Get(preset)
                : FeatureSpec.Parse(File.ReadAllText(Path.Combine(folder, configuration.Spec!)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FeatureSpecException or JsonException)
        {
            throw new BadInputException($"{where}: {ex.Message}", ex);
        }
    }

    // A network configuration's cells: sizes × networks × training shares (× repeats below a share of 1).
    private static List<GridCell> NetworkCells(
        GridConfiguration configuration, FeatureSpec spec, string name, string where, GridTraining training, string defaultModel, List<GridCell> cells)
    {
        var made = new List<GridCell>();
        if (spec.Image is null)
        {
            throw new BadInputException($"{where}: the spec has no image part, so no network can be trained on it (\"functionals\": true trains a vector model on its functionals).");
        }

        var cellTraining = (configuration.Training ?? new GridTraining()).Over(training);
        if (cellTraining.StopOn is not ("loss" or "macro-f1" or "none"))
        {
            throw new BadInputException($"{where}: stopOn must be loss, macro-f1 or none, not '{cellTraining.StopOn}'.");
        }

        if (cellTraining.MaskShare is { } mask && !(mask >= 0 && mask < 1))
        {
            throw new BadInputException($"{where}: maskShare must lie in [0, 1), not {mask}.");
        }

        if (cellTraining.Mixup is { } mixup && !(mixup >= 0 && double.IsFinite(mixup)))
        {
            throw new BadInputException($"{where}: mixup (the α of Beta(α, α)) must be 0 (off) or positive, not {mixup}.");
        }

        foreach (int size in configuration.Sizes ?? [spec.Image.Size])
        {
            var sized = Sized(spec, configuration, size, where);

            foreach (string model in configuration.Models ?? [defaultModel])
            {
                if (!ModelFactory.ExperimentNames.Contains(model, StringComparer.Ordinal))
                {
                    throw new BadInputException($"{where}: unknown network '{model}'; known: {string.Join(", ", ModelFactory.ExperimentNames)}.");
                }

                foreach (double share in configuration.TrainingShares ?? [1.0])
                {
                    if (!(share > 0 && share <= 1) || configuration.Repeats < 1)
                    {
                        throw new BadInputException($"{where}: training shares must lie in (0, 1] (not {share}) and repeats be at least 1.");
                    }

                    for (int repeat = 0; repeat < (share < 1 ? configuration.Repeats : 1); repeat++)
                    {
                        string id = UniqueId(share < 1 ? $"{name}-{size}-{model}-share{share * 100:0}-r{repeat + 1}" : $"{name}-{size}-{model}", where, [.. cells, .. made]);
                        made.Add(new GridCell(id, name, sized, model, cellTraining, share, share < 1 ? repeat + 1 : 0));
                    }
                }
            }
        }

        return made;
    }

    /// <summary>An ensemble configuration's cell: two or more other cells of the grid (not ensembles), by id.</summary>
    private static GridCell EnsembleCell(GridConfiguration configuration, string where, List<GridCell> cells)
    {
        if (configuration.Spec is not null || configuration.Preset is not null || configuration.Sizes is not null || configuration.Models is not null
            || configuration.Training is not null || configuration.TrainingShares is not null || configuration.Functionals || configuration.Embedding is not null || configuration.MelsMatchSize)
        {
            throw new BadInputException($"{where}: an ensemble names only \"name\" and \"ensemble\" (the ids of the cells it averages); it has no spec, sizes, networks or training of its own.");
        }

        string name = CheckName(configuration.Name ?? throw new BadInputException($"{where}: an ensemble needs a \"name\"."), where);
        string[] members = configuration.Ensemble!;
        if (members.Length < 2 || members.Distinct(StringComparer.Ordinal).Count() != members.Length)
        {
            throw new BadInputException($"{where}: an ensemble averages at least two different cells, not [{string.Join(", ", members)}].");
        }

        var resolved = new List<GridCell>();
        foreach (string member in members)
        {
            resolved.Add(cells.FirstOrDefault(c => c.Id == member && !c.IsEnsemble)
                ?? throw new BadInputException($"{where}: the ensemble's member '{member}' is not a cell of this grid (cells: {string.Join(", ", cells.Where(c => !c.IsEnsemble).Select(c => c.Id))})."));
        }

        string id = UniqueId($"{name}-ensemble", where, cells);
        return new GridCell(id, name, resolved[0].Spec, "ensemble", resolved[0].Training, Members: members);
    }

    /// <summary>The one cell of a functionals configuration: no image sizes, no training shares, a vector model.</summary>
    private static GridCell FunctionalsCell(GridConfiguration configuration, FeatureSpec spec, string name, string where, GridTraining training, List<GridCell> cells)
    {
        if (configuration.Sizes is not null || configuration.MelsMatchSize || configuration.TrainingShares is not null)
        {
            throw new BadInputException($"{where}: a functionals configuration has no image sizes, melsMatchSize or training shares.");
        }

        string model = VectorModel(configuration, where, "functionals");

        var vectorSpec = spec with { Image = null };
        try
        {
            vectorSpec.Validate();
        }
        catch (FeatureSpecException ex)
        {
            throw new BadInputException($"{where}: {ex.Message}", ex);
        }

        string id = UniqueId($"{name}-{model}", where, cells);
        return new GridCell(id, name, vectorSpec, model, (configuration.Training ?? new GridTraining()).Over(training), Vector: FunctionalsFeatures);
    }

    /// <summary>The cells of an embedding configuration: one per image size, a vector model on the network's embedding of the image.</summary>
    private static IEnumerable<GridCell> EmbeddingCells(
        GridConfiguration configuration, FeatureSpec spec, string embedding, string name, string where, GridTraining training, List<GridCell> cells)
    {
        if (!Embeddings.Contains(embedding, StringComparer.Ordinal))
        {
            throw new BadInputException($"{where}: unknown embedding '{embedding}'; known: {string.Join(", ", Embeddings)}.");
        }

        if (spec.Image is not { Channels.Count: 1 or 3 } || configuration.TrainingShares is not null)
        {
            throw new BadInputException($"{where}: an embedding needs a spec whose image has 1 or 3 channels, and takes no training shares.");
        }

        string model = VectorModel(configuration, where, "embedding");
        var result = new List<GridCell>();
        foreach (int size in configuration.Sizes ?? [spec.Image.Size])
        {
            var sized = Sized(spec, configuration, size, where);

            string id = UniqueId($"{name}-{size}-{embedding}-{model}", where, [.. cells, .. result]);
            result.Add(new GridCell(id, name, sized, model, (configuration.Training ?? new GridTraining()).Over(training), Vector: embedding));
        }

        return result;
    }

    private static string VectorModel(GridConfiguration configuration, string where, string kind)
    {
        string[] models = configuration.Models ?? [VectorModels[0]];
        if (models.Length != 1 || !VectorModels.Contains(models[0], StringComparer.Ordinal))
        {
            throw new BadInputException($"{where}: a {kind} configuration takes one vector model: {string.Join(", ", VectorModels)} (not {string.Join(", ", models)}).");
        }

        return models[0];
    }

    private static string CheckName(string name, string where) => name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        ? throw new BadInputException($"{where}: the name '{name}' must be letters, digits, '-', '_' or '.' (it names the cell's result file).")
        : name;

    // The spec at one of the configuration's image sizes (its mel bands too, where they follow the size), checked.
    private static FeatureSpec Sized(FeatureSpec spec, GridConfiguration configuration, int size, string where)
    {
        var sized = spec with { NMels = configuration.MelsMatchSize ? size : spec.NMels, Image = spec.Image! with { Size = size } };
        try
        {
            sized.Validate();
        }
        catch (FeatureSpecException ex)
        {
            throw new BadInputException($"{where}, size {size}: {ex.Message}", ex);
        }

        return sized;
    }

    private static string UniqueId(string id, string where, IEnumerable<GridCell> cells) => cells.Any(c => c.Id == id)
        ? throw new BadInputException($"{where}: the cell {id} appears twice; give the configurations different names.")
        : id;
}

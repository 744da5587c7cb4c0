using Cry.Training.Torch.Models;

namespace Cry.Training.Torch;

/// <summary>Options of <see cref="Trainer.Fit"/>; each value is validated when set.</summary>
/// <remarks>
/// Defaults: CryNet-XS, 40 epochs, batch 32, Adam with learning rate 1e-3 and no weight decay, early stopping after 10
/// epochs without a better validation score, class-weighted loss, seed 0, device "auto", libtorch's own thread count.
/// </remarks>
public sealed record TrainingOptions
{
    /// <summary>The known device names.</summary>
    public static IReadOnlyList<string> DeviceNames { get; } = ["auto", "cpu", "cuda"];

    /// <summary>Network name, one of <see cref="ModelFactory.ExperimentNames"/>.</summary>
    public string Model
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!ModelFactory.ExperimentNames.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException(
                    $"Unknown model '{value}'. Known models: {string.Join(", ", ModelFactory.ExperimentNames)}.", nameof(Model));
            }

            field = value.ToLowerInvariant();
        }
    } = ModelFactory.DefaultName;

    /// <summary>Maximum number of epochs.</summary>
    public int Epochs
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 40;

    /// <summary>Samples per optimisation step.</summary>
    public int BatchSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 32;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 1e-3;

    /// <summary>Adam's weight decay (an L2 term added to the gradients, as in torch.optim.Adam).</summary>
    public double WeightDecay
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>What early stopping follows (default: the validation macro-F1, which measured best out of fold; docs/results.md).</summary>
    public EarlyStoppingCriterion StopOn { get; init; } = EarlyStoppingCriterion.MacroF1;

    /// <summary>Epochs without a strictly better validation score before training stops; 0 turns early stopping off.</summary>
    public int Patience
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 10;

    /// <summary>Whether the cross-entropy weighs class k by N / (K · count_k) (see <see cref="Trainer.ClassWeights"/>).</summary>
    public bool ClassWeighted { get; init; } = true;

    /// <summary>
    /// SpecAugment-style masking of each training image: one band of rows and one band of columns, each of a random
    /// width up to this share of the side, set to 0 (the normalised mean); 0 (the default) masks nothing.
    /// </summary>
    public double MaskShare
    {
        get;
        init
        {
            if (!(value >= 0 && value < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(MaskShare), value, "The mask share must lie in [0, 1).");
            }

            field = value;
        }
    }

    /// <summary>
    /// mixup: each training batch is mixed with a shuffled copy of itself, inputs and targets by λ ~ Beta(α, α) with
    /// this α; 0 (the default) turns it off.
    /// </summary>
    public double MixupAlpha
    {
        get;
        init
        {
            if (!(value >= 0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(MixupAlpha), value, "mixup's α must be 0 (off) or a positive finite number.");
            }

            field = value;
        }
    }

    /// <summary>
    /// For <see cref="ResNet18"/>: an ONNX ResNet18 whose ImageNet weights initialise every layer but the classifier
    /// (<see cref="ResNet18.LoadImageNet"/>); null trains from fresh weights.
    /// </summary>
    public string? PretrainedWeights { get; init; }

    /// <summary>Seed of the weight initialisation, dropout and the shuffling of the training order.</summary>
    public long Seed { get; init; }

    /// <summary>"auto" (CUDA when available, else CPU), "cpu" or "cuda" (fails when CUDA is not available).</summary>
    public string Device
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!DeviceNames.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException(
                    $"Unknown device '{value}'. Known devices: {string.Join(", ", DeviceNames)}.", nameof(Device));
            }

            field = value.ToLowerInvariant();
        }
    } = "auto";

    /// <summary>libtorch's intra-op thread count (process-wide, set by <see cref="Trainer.Fit"/>); 0 leaves it unchanged.</summary>
    public int Threads
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }
}

/// <summary>What early stopping keeps the best epoch by.</summary>
public enum EarlyStoppingCriterion
{
    /// <summary>The lowest class-weighted validation cross-entropy (its minimum comes early: undertrained on this corpus).</summary>
    ValidationLoss,

    /// <summary>The highest validation macro-F1 (the default: noisy on small validation shares, yet the best measured out of fold).</summary>
    MacroF1,

    /// <summary>No early stopping: every epoch runs and the last one is kept (a fixed budget of epochs).</summary>
    Last,
}

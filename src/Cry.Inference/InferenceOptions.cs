namespace Cry.Inference;

/// <summary>How a model is run: device, threads and the uncertainty threshold.</summary>
public sealed record InferenceOptions
{
    /// <summary>The device names accepted by <see cref="Device"/>.</summary>
    public static IReadOnlyList<string> Devices { get; } = ["auto", "cpu", "cuda"];

    /// <summary>
    /// "auto" (default): CUDA when ONNX Runtime can use it, else the CPU with one log line; "cpu"; "cuda" (fails when
    /// CUDA cannot be used).
    /// </summary>
    public string Device { get; init; } = "auto";

    /// <summary>Threads one inference may use (ONNX Runtime intra-op threads); 1 suits a server scoring requests in parallel.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>A result whose confidence is below this is flagged uncertain; null takes the bundle's value (chosen on its validation data), else 0.5.</summary>
    public double? UncertaintyThreshold { get; init; }

    /// <summary>Windows scored in one ONNX Runtime call at most.</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!Devices.Contains(Device, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Device must be one of {string.Join(", ", Devices)}, not '{Device}'.");
        }

        if (Threads < 1)
        {
            throw new ArgumentException($"Threads must be at least 1, not {Threads}.");
        }

        if (UncertaintyThreshold is { } t && !(t >= 0 && t <= 1))
        {
            throw new ArgumentException($"The uncertainty threshold must lie in [0, 1], not {t}.");
        }

        if (MaxBatch < 1)
        {
            throw new ArgumentException($"MaxBatch must be at least 1, not {MaxBatch}.");
        }
    }
}

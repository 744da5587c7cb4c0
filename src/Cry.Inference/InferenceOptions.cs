namespace Cry.Inference;

/// <summary>How a model is run: device, threads and batch size. (No uncertainty override: confident answers are certified when the bundle is trained.)</summary>
public sealed record InferenceOptions
{
    /// <summary>The device names accepted by <see cref="Device"/>.</summary>
    public static IReadOnlyList<string> Devices { get; } = [.. Enum.GetValues<InferenceDevice>().Select(NameOf)];

    /// <summary>The name of a device as <see cref="Device"/> spells it ("auto", "cpu", "cuda").</summary>
    public static string NameOf(InferenceDevice device) => device.ToString().ToLowerInvariant();

    /// <summary>
    /// "auto" (default): CUDA when ONNX Runtime can use it, else the CPU with one log line; "cpu"; "cuda" (fails when
    /// CUDA cannot be used).
    /// </summary>
    public string Device { get; init; } = "auto";

    /// <summary>Threads one inference may use (ONNX Runtime intra-op threads); 1 suits a server scoring requests in parallel.</summary>
    public int Threads { get; init; } = 1;

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

        if (MaxBatch < 1)
        {
            throw new ArgumentException($"MaxBatch must be at least 1, not {MaxBatch}.");
        }
    }
}

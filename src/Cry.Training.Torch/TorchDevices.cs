using static TorchSharp.torch;

namespace Cry.Training.Torch;

/// <summary>Turns the device names of <see cref="TrainingOptions.Device"/> into torch devices.</summary>
/// <remarks>The CUDA path is selected as described but has not been verified on a GPU: this repository ships the CPU backend.</remarks>
public static class TorchDevices
{
    /// <summary>Resolves "auto" (CUDA when <c>torch.cuda.is_available()</c>, else CPU), "cpu" or "cuda".</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="TrainingOptions.DeviceNames"/>.</exception>
    /// <exception cref="InvalidOperationException">"cuda" was asked for but torch sees no CUDA device.</exception>
    public static Device Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "cpu" => CPU,
            "auto" => cuda.is_available() ? CUDA : CPU,
            "cuda" => cuda.is_available()
                ? CUDA
                : throw new InvalidOperationException(
                    "Device 'cuda' was requested but CUDA is not available: torch.cuda.is_available() is false. " +
                    "Use a CUDA build of libtorch (e.g. the libtorch-cuda package instead of libtorch-cpu) on a machine " +
                    "with an NVIDIA GPU, or choose the device 'auto' or 'cpu'."),
            _ => throw new ArgumentException(
                $"Unknown device '{name}'. Known devices: {string.Join(", ", TrainingOptions.DeviceNames)}.", nameof(name)),
        };
    }
}

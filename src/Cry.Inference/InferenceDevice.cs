namespace Cry.Inference;

/// <summary>Where ONNX Runtime runs a model; <see cref="InferenceOptions.Device"/> spells these in lower case.</summary>
public enum InferenceDevice
{
    /// <summary>CUDA when ONNX Runtime can use it, else the CPU with one log line.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>CUDA; loading fails when it cannot be used.</summary>
    Cuda,
}

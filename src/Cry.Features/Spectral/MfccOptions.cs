namespace Cry.Features.Spectral;

/// <summary>Parameters of <see cref="Mfcc"/>, named as in librosa's <c>feature.mfcc</c>; the defaults are the tsi-rgb64 preset's.</summary>
public sealed record MfccOptions
{
    /// <summary>Number of mel bands of the input; at least 1. Default 40.</summary>
    public int NMels { get; init; } = 40;

    /// <summary>Number of coefficients requested; at least 1, clamped to <see cref="NMels"/>. Default 30.</summary>
    public int NMfcc { get; init; } = 30;

    /// <summary>Liftering coefficient; 0 for none. Default 0.</summary>
    public int Lifter { get; init; }
}

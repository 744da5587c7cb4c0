namespace Cry.Features.Spectral;

/// <summary>Parameters of a mel spectrogram, named as in librosa's <c>feature.melspectrogram</c>.</summary>
public sealed record MelSpectrogramOptions
{
    /// <summary>Sample rate of the input in hertz.</summary>
    public int SampleRate { get; init; } = 8000;

    /// <summary>FFT length and (periodic Hann) window length; any positive length.</summary>
    public int NFft { get; init; } = 512;

    /// <summary>Samples between the starts of successive frames.</summary>
    public int HopLength { get; init; } = 128;

    /// <summary>When true the signal is zero-padded by NFft / 2 on both sides so frame t is centred on sample t × hop.</summary>
    public bool Center { get; init; } = true;

    /// <summary>Number of mel bands.</summary>
    public int NMels { get; init; } = 40;

    /// <summary>Lowest filter edge in hertz.</summary>
    public double FMin { get; init; }

    /// <summary>Highest filter edge in hertz; at most half the sample rate.</summary>
    public double FMax { get; init; } = 4000;

    /// <summary>Use the HTK mel formula instead of Slaney's.</summary>
    public bool Htk { get; init; }

    /// <summary>Filter normalisation.</summary>
    public MelNormalization Norm { get; init; } = MelNormalization.Slaney;

    /// <summary>Exponent of the magnitude: 2 for power, 1 for magnitude; any positive value.</summary>
    public double Power { get; init; } = 2.0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a parameter is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NFft);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HopLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NMels);
        ArgumentOutOfRangeException.ThrowIfNegative(FMin);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(FMax, FMin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FMax, SampleRate / 2.0);
        if (!(Power > 0) || double.IsInfinity(Power))
        {
            throw new ArgumentOutOfRangeException(nameof(Power), Power, "power must be a positive finite number.");
        }
    }
}

namespace Cry.Audio.Dsp;

/// <summary>Design parameters of the anti-aliasing filter used by <see cref="Resampler"/>.</summary>
/// <remarks>
/// The filter's stopband begins at the lower of the two Nyquist frequencies and its passband ends
/// <see cref="TransitionWidth"/> × that Nyquist below it, so nothing above the new Nyquist folds back
/// into the band that is kept. Defaults: 80 dB stopband, transition band 10 % of the lower Nyquist
/// (a 4 kHz Nyquist keeps 0–3.6 kHz flat).
/// </remarks>
public sealed record ResamplerOptions
{
    /// <summary>The default design: 80 dB stopband attenuation, 10 % transition band.</summary>
    public static ResamplerOptions Default { get; } = new();

    /// <summary>Stopband attenuation in dB, between 40 and 160; 80 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [40, 160] or not finite.</exception>
    public double StopbandAttenuationDb
    {
        get;
        init
        {
            Guard.ThrowIfNotFinite(value);
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 40.0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 160.0);
            field = value;
        }
    } = 80.0;

    /// <summary>Width of the transition band as a fraction of the lower Nyquist, in (0, 0.5]; 0.1 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside (0, 0.5] or not finite.</exception>
    public double TransitionWidth
    {
        get;
        init
        {
            Guard.ThrowIfNotFinite(value);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 0.5);
            field = value;
        }
    } = 0.1;
}

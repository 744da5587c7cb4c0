using System.Text.Json.Serialization;

namespace Cry.Audio.Augmentation;

/// <summary>A randomised transformation of a clip whose parameters are drawn from ranges by a seed.</summary>
/// <remarks>
/// The seed fixes everything: the parameter values (drawn first, uniformly within each range) and any noise.
/// A range with Min == Max is a fixed value. Every implementation keeps the input length. Stored as JSON with a
/// <c>"type"</c> discriminator, see <see cref="AugmentationJson"/>.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(GaussianNoiseSnr), "gaussianNoiseSnr")]
[JsonDerivedType(typeof(GaussianNoisePeak), "gaussianNoisePeak")]
[JsonDerivedType(typeof(PitchShift), "pitchShift")]
[JsonDerivedType(typeof(TimeStretch), "timeStretch")]
[JsonDerivedType(typeof(HighPass), "highPass")]
[JsonDerivedType(typeof(Gain), "gain")]
[JsonDerivedType(typeof(TimeShift), "timeShift")]
public interface IAugmentation
{
    /// <summary>Returns a new array of the same length as <paramref name="samples"/> with the transformation applied.</summary>
    /// <param name="samples">The clip, mono.</param>
    /// <param name="sampleRate">Its sample rate in Hz, positive.</param>
    /// <param name="seed">Fixes the drawn parameters and any noise.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sampleRate"/> is not positive.</exception>
    float[] Apply(ReadOnlySpan<float> samples, int sampleRate, ulong seed);

    /// <summary>The same augmentation with every range collapsed to the value <paramref name="seed"/> draws, for manifests.</summary>
    /// <remarks>Applying the result with the same seed gives the same output as applying this instance.</remarks>
    IAugmentation Resolve(ulong seed);
}

namespace Cry.Features.Specs;

/// <summary>How far along the feature pipeline to go.</summary>
public enum FeatureStage
{
    /// <summary>Mel power spectrogram, nMels × frames.</summary>
    Mel,

    /// <summary>Mel spectrogram in dB (spec's dbRef and topDb), nMels × frames.</summary>
    Db,

    /// <summary>MFCC, nMfcc × frames (from dB with reference 1).</summary>
    Mfcc,

    /// <summary>The 1-D series (mean over MFCC coefficients of each frame), length frames.</summary>
    Series,

    /// <summary>The image tensor, channels × size × size.</summary>
    Image,

    /// <summary>Acoustic functionals of the whole window (MFCC, spectral, level and voice statistics), one vector.</summary>
    Functionals,
}

using System.Text.Json;

namespace Cry.Audio.Augmentation;

/// <summary>The JSON settings used to store augmentations and policies: camelCase names, a <c>"type"</c> discriminator.</summary>
/// <remarks>
/// The discriminator is written when the declared type is <see cref="IAugmentation"/>, e.g.
/// <c>JsonSerializer.Serialize&lt;IAugmentation&gt;(augmentation, AugmentationJson.Options)</c>; policies do this for you.
/// </remarks>
public static class AugmentationJson
{
    /// <summary>Serializer options for <see cref="IAugmentation"/> and <see cref="AugmentationPolicy"/>.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
    };
}

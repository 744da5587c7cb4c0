using System.Text.Json;
using System.Text.Json.Serialization;
using Cry.Features.Imaging;

namespace Cry.Features.Specs;

/// <summary>Reads and writes a recurrence threshold as null, "point", "distance" or a number.</summary>
internal sealed class RecurrenceThresholdJsonConverter : JsonConverter<RecurrenceThresholdSetting?>
{
    public override bool HandleNull => true;

    public override RecurrenceThresholdSetting? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.Number => new RecurrenceThresholdSetting(RecurrenceThreshold.Value, reader.GetDouble()),
            JsonTokenType.String => reader.GetString() switch
            {
                "point" => new RecurrenceThresholdSetting(RecurrenceThreshold.Point, 0),
                "distance" => new RecurrenceThresholdSetting(RecurrenceThreshold.Distance, 0),
                var other => throw new JsonException($"threshold must be null, \"point\", \"distance\" or a number, not \"{other}\"."),
            },
            _ => throw new JsonException("threshold must be null, \"point\", \"distance\" or a number."),
        };

    public override void Write(Utf8JsonWriter writer, RecurrenceThresholdSetting? value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case { Kind: RecurrenceThreshold.Point }:
                writer.WriteStringValue("point");
                break;
            case { Kind: RecurrenceThreshold.Distance }:
                writer.WriteStringValue("distance");
                break;
            case { } v:
                writer.WriteNumberValue(v.Value);
                break;
        }
    }
}

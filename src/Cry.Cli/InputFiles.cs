using Cry.Audio;
using Cry.Features.Npy;
using Cry.Audio.Decoding;

namespace Cry.Cli;

/// <summary>Reads input files, naming the file in every error.</summary>
internal static class InputFiles
{
    /// <summary>Decodes a recording in any supported format (the content decides which).</summary>
    public static AudioSignal ReadAudio(string path, AudioDecoder decoder) => Read(path, () => decoder.DecodeFile(path));

    public static NpyArray ReadNpy(string path) => Read(path, () =>
    {
        using var stream = File.OpenRead(path);
        return NpyFile.Read(stream);
    });

    /// <summary>Runs a reader and turns its failures into <see cref="BadInputException"/> naming the file.</summary>
    private static T Read<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is AudioFormatException or NpyFormatException)
        {
            throw new BadInputException($"{path}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BadInputException($"{path}: file not found.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: cannot be read: {ex.Message}", ex);
        }
    }

    public static void EnsureParentFolder(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}

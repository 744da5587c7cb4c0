using Cry.Audio;
using Cry.Features.Npy;

namespace Cry.Cli;

/// <summary>Reads input files, naming the file in every error.</summary>
internal static class InputFiles
{
    public static AudioSignal ReadWav(string path, WavDecoder decoder)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return decoder.Decode(stream);
        }
        catch (AudioFormatException ex)
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

    public static NpyArray ReadNpy(string path)
    {
        try
        {
            return NpyFile.Read(path);
        }
        catch (NpyFormatException ex)
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

namespace MlNetRnn;

/// <summary>
/// A file that MlNetRnn reads (a saved model, a checkpoint, an ONNX export) is damaged or is not what it claims to be.
/// The message names the file, the part of it (a zip entry, a JSON field, a tensor) and what was wrong against what
/// was expected; nothing of such a file is used. It is an <see cref="IOException"/> (.NET's InvalidDataException, the
/// natural base, is sealed), so code that handles failed file reads handles it too.
/// </summary>
public sealed class ModelFileException : IOException
{
    /// <param name="path">The file (or the name given to a stream, e.g. "(stream)").</param>
    /// <param name="entry">The part of the file: a zip entry such as "model.json", an ONNX initializer; null for the
    /// file as a whole.</param>
    /// <param name="problem">What is wrong and what was expected.</param>
    public ModelFileException(string path, string? entry, string problem, Exception? innerException = null)
        : base(Compose(path, entry, problem), innerException)
    {
        Path = path;
        Entry = entry;
        Problem = problem;
    }

    /// <summary>The file, as the caller named it.</summary>
    public string Path { get; }

    /// <summary>The entry (or other part) of the file that is damaged; null when the file as a whole is.</summary>
    public string? Entry { get; }

    /// <summary>The message without the file and entry: what is wrong and what was expected.</summary>
    public string Problem { get; }

    private static string Compose(string path, string? entry, string problem) =>
        entry is null ? $"'{path}': {problem}" : $"'{path}', entry '{entry}': {problem}";
}

namespace MlNetRnn.Persistence;

/// <summary>
/// The last entry of a model file or checkpoint ("checksums.json"): the length and SHA-256 of every other entry,
/// written by the saver. A reader checks each entry it reads against it, so an entry changed after saving (edited,
/// swapped in from another file, rewritten with a fresh zip CRC) is refused. Files written before the manifest
/// existed have none; they load when every entry read passes its zip CRC-32 and the checks of its content.
/// </summary>
internal sealed record ChecksumManifest
{
    public const string EntryName = "checksums.json";
    public const string FormatName = "mlnetrnn-checksums";
    public const string AlgorithmName = "SHA-256";

    public string Format { get; init; } = FormatName;

    public string Algorithm { get; init; } = AlgorithmName;

    public required List<ChecksumEntry> Entries { get; init; }
}

/// <param name="Length">Bytes of the entry's content (uncompressed).</param>
/// <param name="Sha256">Lower-case hex of the content's SHA-256.</param>
internal sealed record ChecksumEntry(string Name, long Length, string Sha256);

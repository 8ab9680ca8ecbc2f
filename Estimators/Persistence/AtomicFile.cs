using System.Diagnostics;

namespace MlNetRnn.Persistence;

/// <summary>
/// Writes a file so that readers see either the old complete file or the new complete file, never a partial one:
/// the content goes to a temporary file in the same folder (".&lt;name&gt;.&lt;32 hex digits&gt;.tmp"), is flushed
/// to disk, then renamed over the target. A process killed before the rename leaves that temporary file behind;
/// <see cref="RemoveLeftovers"/> removes them.
/// </summary>
public static class AtomicFile
{
    private static readonly Lazy<DateTime> ProcessStart = new(() => Process.GetCurrentProcess().StartTime.ToUniversalTime());

    /// <summary>Tests only: wraps the temporary file's stream (to slow a write down, or to see it start), so a test
    /// can kill a process in the middle of a write.</summary>
    internal static Func<Stream, Stream>? WrapTemporaryStreamForTests { get; set; }

    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(WrapTemporaryStreamForTests?.Invoke(stream) ?? stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // The original error matters more than a leftover temporary file.
            }
            throw;
        }
    }

    /// <summary>
    /// Deletes the temporary files that writes of <paramref name="path"/> left when their process died before the
    /// rename: files in its folder named as <see cref="Write"/> names them for this target (no other file is
    /// touched), last written before this process started, so that a write still running in another process that
    /// started after this one keeps its file. Returns how many were deleted; a file that cannot be deleted is left.
    /// </summary>
    public static int RemoveLeftovers(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            return 0;
        var prefix = $".{Path.GetFileName(full)}.";
        var removed = 0;
        foreach (var candidate in Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            var name = Path.GetFileName(candidate);
            if (!IsTemporaryName(name, prefix))
                continue;
            try
            {
                if (File.GetLastWriteTimeUtc(candidate) >= ProcessStart.Value)
                    continue;
                File.Delete(candidate);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a file we may not delete is left where it is.
            }
        }
        return removed;
    }

    // ".<name>." + 32 lower-case hex digits (Guid "N") + ".tmp"
    private static bool IsTemporaryName(string name, string prefix) =>
        name.Length == prefix.Length + 32 + 4
        && name.StartsWith(prefix, StringComparison.Ordinal)
        && name.EndsWith(".tmp", StringComparison.Ordinal)
        && !name.AsSpan(prefix.Length, 32).ContainsAnyExcept("0123456789abcdef");
}

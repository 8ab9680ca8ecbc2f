namespace MlNetRnn.Cli.Bench;

/// <summary>Resident memory of this process from /proc/self/status (Linux); 0 elsewhere.</summary>
internal static class ProcessMemory
{
    public static long CurrentRssBytes() => Read("VmRSS:");

    /// <summary>
    /// The private (anonymous) part of the resident memory now: the heaps, the kernel's buffers, JIT output; not the
    /// runtime's and the libraries' code and data mapped from files (RssFile), which other processes share.
    /// </summary>
    public static long CurrentAnonymousBytes() => Read("RssAnon:");

    /// <summary>The high-water mark of resident memory.</summary>
    public static long PeakRssBytes() => Read("VmHWM:");

    private static long Read(string key)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
            return 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]) * 1024;
        }
        return 0;
    }
}

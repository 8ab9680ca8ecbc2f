using System.Text;
using System.Text.Unicode;

namespace MlNetRnn.Examples.Mail;

/// <summary>
/// Turns the bytes of a MIME text into a string, given the charset the mail declared (or none).
/// Mail in the wild often lies about its charset, so the rules are lenient:
///   no charset, us-ascii, "default", unknown-8bit, an unknown name: UTF-8 when the bytes are valid UTF-8, else windows-1252;
///   iso-8859-1 / latin1: windows-1252 (a superset that also gives the 0x80-0x9F bytes their usual meaning);
///   utf-8 whose bytes are not valid UTF-8: windows-1252;
///   any other name .NET knows (with the code-page provider: big5, gb2312, koi8-r, ks_c_5601-1987, iso-2022-jp, ...): that
///     encoding, even when every byte is ASCII (iso-2022-jp is 7-bit: escape sequences shift it into JIS X 0208).
/// Undecodable bytes become U+FFFD; nothing throws on mail content.
/// </summary>
public static class CharsetDecoder
{
    // An explicit static constructor (no beforefieldinit) so the provider is registered before any member runs.
    static CharsetDecoder()
    {
        // windows-125x, big5, gb2312, koi8-r... live in System.Text.Encoding.CodePages, part of the shared framework.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252);
    }

    /// <summary>windows-1252, the fallback for unlabelled or mislabelled 8-bit text.</summary>
    public static Encoding Windows1252 { get; }

    /// <summary>Decodes <paramref name="bytes"/> as <paramref name="charset"/> with the lenient rules above.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? charset)
    {
        var name = NormalizeName(charset);
        switch (name)
        {
            case "":
            case "us-ascii":
            case "ascii":
            case "default":
            case "default_charset":
            case "unknown-8bit":
            case "x-unknown":
            case "x-user-defined":
            case "utf-8":
            case "utf8":
                return DecodeUnlabelled(bytes);
            case "iso-8859-1":
            case "iso8859-1":
            case "iso_8859-1":
            case "latin1":
            case "latin-1":
            case "windows-1252":
            case "cp1252":
                return Windows1252.GetString(bytes);
        }
        Encoding encoding;
        try
        {
            encoding = Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return DecodeUnlabelled(bytes);
        }
        return encoding.GetString(bytes);
    }

    /// <summary>UTF-8 when the bytes are valid UTF-8, otherwise windows-1252.</summary>
    public static string DecodeUnlabelled(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Windows1252.GetString(bytes);

    /// <summary>
    /// <paramref name="text"/> with its C1 control characters (U+0080-U+009F, which real text does not hold) read as
    /// the windows-1252 characters their bytes stand for: text labelled iso-8859-1 that a reader decoded as Latin-1
    /// (MimeKit does for encoded-words) then matches what <see cref="Decode"/> gives.
    /// </summary>
    public static string RepairC1Controls(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.AsSpan().ContainsAnyInRange('\u0080', '\u009F'))
            return text;
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is >= '\u0080' and <= '\u009F')
                chars[i] = Windows1252.GetString([(byte)chars[i]])[0];
        }
        return new string(chars);
    }

    /// <summary>Lower case, quotes and spaces trimmed, RFC 2231 language suffix ("utf-8*en") dropped.</summary>
    public static string NormalizeName(string? charset)
    {
        if (charset is null)
            return "";
        var name = charset.Trim().Trim('"', '\'').Trim().ToLowerInvariant();
        var star = name.IndexOf('*');
        return star >= 0 ? name[..star] : name;
    }
}

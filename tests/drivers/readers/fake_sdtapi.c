/*
 * A fake "sdtapi" ID-card reader library for the vendor-SDK driver tests, compiled by the test with
 * `cc -shared -fPIC`. It exports the standard calls vendors ship in libsdtapi.so (SDT_OpenPort,
 * SDT_StartFindIDCard, SDT_SelectIDCard, SDT_ReadBaseMsg ...), returning the SAM status codes
 * (0x90 ok, 0x9F card found, 0x80 no card ...) and port errors (0x01 port, 0x02 timeout), and a few
 * fake_* calls the test uses to lay cards down and inject faults.
 */
#include <string.h>
#include <unistd.h>

static int open_port = 0;
static int plugged = 1;
static int card_present = 0;
static int card_read = 0;
static unsigned char text[256];
static unsigned char photo[1024];
static int forced_find = 0, forced_select = 0, forced_read = 0, forced_times = 0;
static int read_delay_ms = 0;
static int calls = 0;

/* ---- controls for the test ---- */
void fake_insert(const unsigned char *new_text, const unsigned char *new_photo) {
    memcpy(text, new_text, sizeof text);
    memcpy(photo, new_photo, sizeof photo);
    card_present = 1;
    card_read = 0;
}
void fake_remove(void) { card_present = 0; card_read = 0; }
void fake_plug(int state) { plugged = state; if (!state) open_port = 0; }
/* The next `times` calls of each function return the forced code instead (0: behave normally). */
void fake_force(int find, int select, int read, int times) {
    forced_find = find; forced_select = select; forced_read = read; forced_times = times;
}
static int forced(int *code) {
    if (!*code || forced_times <= 0) return 0;
    forced_times--;
    return *code;
}
void fake_read_delay(int ms) { read_delay_ms = ms; }
int fake_calls(void) { return calls; }
int fake_open_port(void) { return open_port; }

/* ---- the vendor API ---- */
int SDT_OpenPort(int port) {
    calls++;
    if (!plugged || port < 1) return 0x01;
    open_port = port;
    return 0x90;
}

int SDT_ClosePort(int port) {
    calls++;
    if (open_port != port) return 0x01;
    open_port = 0;
    return 0x90;
}

static int usable(int port) { return plugged && open_port == port; }

int SDT_GetSAMStatus(int port, int if_open) {
    calls++;
    (void)if_open;
    return usable(port) ? 0x90 : 0x01;
}

int SDT_StartFindIDCard(int port, unsigned char *mana_info, int if_open) {
    calls++;
    (void)if_open;
    if (!usable(port)) return 0x01;
    if (forced(&forced_find)) return forced_find;
    memset(mana_info, 0, 4);
    return card_present && !card_read ? 0x9F : 0x80;
}

int SDT_SelectIDCard(int port, unsigned char *mana_msg, int if_open) {
    calls++;
    (void)if_open;
    if (!usable(port)) return 0x01;
    if (forced(&forced_select)) return forced_select;
    memset(mana_msg, 0, 8);
    return card_present ? 0x90 : 0x81;
}

int SDT_ReadBaseMsg(int port, unsigned char *ch_msg, unsigned int *ch_len, unsigned char *ph_msg,
                    unsigned int *ph_len, int if_open) {
    calls++;
    (void)if_open;
    if (!usable(port)) return 0x01;
    if (read_delay_ms) usleep(read_delay_ms * 1000);
    if (forced(&forced_read)) return forced_read;
    if (!card_present) return 0x41;
    memcpy(ch_msg, text, sizeof text);
    memcpy(ph_msg, photo, sizeof photo);
    *ch_len = sizeof text;
    *ph_len = sizeof photo;
    card_read = 1;
    return 0x90;
}

/* ---- a fake WLT decoder in the style of libwlt2bmp's unpack() ---- */
int unpack(char *wlt, char *bmp, int save) {
    (void)save;
    if ((unsigned char)wlt[0] == 0xFF) return -1;  /* "not a WLT image" */
    bmp[0] = 'B';
    bmp[1] = 'M';
    for (int i = 2; i < 38862; i++) bmp[i] = wlt[i % 1024];
    return 1;
}

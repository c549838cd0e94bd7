/*
 * A fake "termb" (华视 CVR_*) ID-card reader library for the vendor-SDK driver tests, compiled by the test with
 * `cc -shared -fPIC`. It exports the calls certified readers ship in libtermb.so: CVR_InitComm (1 ok, 2 port),
 * CVR_CloseComm, CVR_Authenticate (1 card found and authenticated, 2 no card, 4 not connected),
 * CVR_Read_Content (1 ok, 0 failed, 4 not connected), CVR_GetSAMID, and the getters GetPeopleName ...
 * GetEndDate and GetCertType returning GBK text; and a few fake_* calls to lay cards down and inject faults.
 * Like the real library, CVR_Read_Content leaves wz.txt in the working directory.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int comm_port = 0;
static int plugged = 1;
static int card_present = 0;
static int read_done = 0;
static int pull_during_read = 0;
static int read_delay_ms = 0;
static char fields[10][128];  /* name sex nation birth address id department start end certtype (GBK) */

void fake_insert(const char *name, const char *sex, const char *nation, const char *birth, const char *address,
                 const char *id, const char *department, const char *start, const char *end, const char *type) {
    const char *values[10] = {name, sex, nation, birth, address, id, department, start, end, type};
    for (int i = 0; i < 10; i++) {
        strncpy(fields[i], values[i], sizeof fields[i] - 1);
        fields[i][sizeof fields[i] - 1] = 0;
    }
    card_present = 1;
    read_done = 0;
}
void fake_remove(void) { card_present = 0; read_done = 0; }
void fake_plug(int state) { plugged = state; if (!state) comm_port = 0; }
void fake_pull_during_read(int state) { pull_during_read = state; }
void fake_read_delay(int ms) { read_delay_ms = ms; }

int CVR_InitComm(int port) {
    if (!plugged || port < 1) return 2;
    comm_port = port;
    return 1;
}

int CVR_CloseComm(void) {
    comm_port = 0;
    return 1;
}

int CVR_GetSAMID(char *sam_id) {
    if (!plugged || !comm_port) return 4;
    strcpy(sam_id, "05.01-20240101-0000000001-0000000001");
    return 1;
}

int CVR_Authenticate(void) {
    if (!plugged || !comm_port) return 4;
    return card_present ? 1 : 2;
}

int CVR_Read_Content(int active) {
    (void)active;
    if (!plugged || !comm_port) return 4;
    if (read_delay_ms) usleep(read_delay_ms * 1000);
    if (pull_during_read) {
        pull_during_read = 0;
        card_present = 0;
        return 0;
    }
    if (!card_present) return 0;
    FILE *dump = fopen("wz.txt", "wb");  /* what the real library does with the text */
    if (dump) { fputs(fields[0], dump); fclose(dump); }
    read_done = 1;
    return 1;
}

static int give(int index, char *out, int *len) {
    if (!read_done) return 0;
    int n = (int)strlen(fields[index]);
    memcpy(out, fields[index], (size_t)n + 1);
    *len = n;
    return 1;
}
int GetPeopleName(char *out, int *len) { return give(0, out, len); }
int GetPeopleSex(char *out, int *len) { return give(1, out, len); }
int GetPeopleNation(char *out, int *len) { return give(2, out, len); }
int GetPeopleBirthday(char *out, int *len) { return give(3, out, len); }
int GetPeopleAddress(char *out, int *len) { return give(4, out, len); }
int GetPeopleIDCode(char *out, int *len) { return give(5, out, len); }
int GetDepartment(char *out, int *len) { return give(6, out, len); }
int GetStartDate(char *out, int *len) { return give(7, out, len); }
int GetEndDate(char *out, int *len) { return give(8, out, len); }
int GetCertType(char *out, int *len) { return give(9, out, len); }

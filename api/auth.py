"""`POST /api/v1/auth/token/`: a username and password buy the user's API token."""

from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from api.openapi import BAD_REQUEST, UNSUPPORTED, PonteAutoSchema
from api.parsers import PonteJSONParser
from audit.choices import Action
from audit.services import audit_log
from core.middleware import client_ip


class TokenRequestSerializer(serializers.Serializer):
    """The credentials of the web sign-in."""

    username = serializers.CharField(max_length=150, write_only=True)
    password = serializers.CharField(max_length=4096, write_only=True, trim_whitespace=False)

    def validate(self, attrs):
        # authenticate() sends user_login_failed on a wrong password, which the audit log records.
        user = authenticate(request=self.context.get("request"), username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError("Unable to sign in with these credentials.", code="authorization")
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    """The token to send as `Authorization: Token <token>`."""

    token = serializers.CharField(read_only=True)


class TokenRateThrottle(AnonRateThrottle):
    """Slows down password guessing, per client address (the audited one, not a spoofable header)."""

    scope = "api_token"
    rate = "30/minute"

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class TokenObtainView(APIView):
    """Exchange a username and password for the user's API token (the same token until revoked)."""

    authentication_classes: list = []
    schema = PonteAutoSchema()
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenRateThrottle]
    parser_classes = [PonteJSONParser]

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: BAD_REQUEST,
            415: UNSUPPORTED,
            429: OpenApiResponse(description="Too many attempts from this address; wait a minute."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        with transaction.atomic():
            token, _created = Token.objects.get_or_create(user=user)
            audit_log(actor=user, action=Action.TOKEN_ISSUED)
        return Response(TokenSerializer({"token": token.key}).data)
